import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectImage, type RangeReader } from '../../../../src/core/dataset/image-header.ts';
import { bmpImage, jpegImage, pngImage, webpExtendedImage, webpLosslessImage, webpLossyImage } from '../../../fixtures/datasets/images.ts';

function reader(bytes: Uint8Array, log: { offset: number; length: number }[] = []): RangeReader {
  return async (offset, length) => {
    log.push({ offset, length });
    return bytes.subarray(offset, offset + length);
  };
}

const inspect = (bytes: Uint8Array) => inspectImage(reader(bytes), bytes.length);

describe('inspectImage', () => {
  it('decodes width and height of PNG, JPEG, BMP and the three WebP kinds', async () => {
    expect(await inspect(pngImage(31, 17))).toEqual({ ok: true, image: { format: 'png', width: 31, height: 17 } });
    expect(await inspect(jpegImage(640, 480))).toEqual({ ok: true, image: { format: 'jpeg', width: 640, height: 480 } });
    expect(await inspect(bmpImage(5, 3))).toEqual({ ok: true, image: { format: 'bmp', width: 5, height: 3 } });
    expect(await inspect(webpLosslessImage(16, 9))).toEqual({ ok: true, image: { format: 'webp', width: 16, height: 9 } });
    expect(await inspect(webpLossyImage(20, 10))).toEqual({ ok: true, image: { format: 'webp', width: 20, height: 10 } });
    expect(await inspect(webpExtendedImage(300, 200))).toEqual({ ok: true, image: { format: 'webp', width: 300, height: 200 } });
  });

  it('walks past a large EXIF segment with a second ranged read instead of reading the whole file', async () => {
    const bytes = jpegImage(4032, 3024, { metadataBytes: 65_000, scanBytes: 2_000_000 });
    const log: { offset: number; length: number }[] = [];
    expect(await inspectImage(reader(bytes, log), bytes.length)).toMatchObject({ ok: true, image: { width: 4032, height: 3024 } });
    expect(log.length).toBeLessThanOrEqual(3);
    expect(log.reduce((sum, r) => sum + Math.min(r.length, bytes.length - r.offset), 0)).toBeLessThan(200_000);
  });

  it('accepts a few trailer bytes after a JPEG end marker', async () => {
    expect((await inspect(jpegImage(8, 8, { trailing: [0, 0, 0x53, 0x45] }))).ok).toBe(true);
  });

  it('explains what is wrong with broken files', async () => {
    const png = pngImage(8, 8);
    const damagedHeader = png.slice();
    damagedHeader[17] = (damagedHeader[17] ?? 0) ^ 0xff;
    const bmp = bmpImage(8, 8);
    const webp = webpLosslessImage();
    const cases: [Uint8Array, string][] = [
      [new Uint8Array(0), 'the file is empty (0 bytes)'],
      [new Uint8Array(16), 'it is not a PNG, JPEG, BMP, WebP, TIFF, JPEG 2000, AVIF or HEIF image (its first bytes are all zero)'],
      [new TextEncoder().encode('GIF89a....'), 'it is not a PNG, JPEG, BMP, WebP, TIFF, JPEG 2000, AVIF or HEIF image (it is a GIF)'],
      [png.subarray(0, 20), 'it is truncated: 20 bytes is too short for a PNG header'],
      [damagedHeader, 'its PNG header checksum (IHDR CRC) is wrong: the file is damaged'],
      [jpegImage().subarray(0, 15), 'it is truncated: the JPEG ends before its frame header'],
      [jpegImage().subarray(0, 30), 'it is truncated: the JPEG ends inside its headers'],
      [bmp.subarray(0, bmp.length - 10), `it is truncated: the BMP header announces ${bmp.length} bytes but the file has ${bmp.length - 10}`],
      [webp.subarray(0, 35), 'it is truncated: the WebP header announces 40 bytes but the file has 35'],
    ];
    for (const [bytes, reason] of cases) expect(await inspect(bytes), reason).toEqual({ ok: false, reason });
  });

  it('reads TIFF and JPEG 2000 headers and sees when they are cut short; AVIF only by its signature', async () => {
    const images = join(import.meta.dirname, '../../../corpus/dataset/valid-image-formats/dataset/images/train');
    const tiff = new Uint8Array(readFileSync(join(images, 't1.tif')));
    const jp2 = new Uint8Array(readFileSync(join(images, 'j.jp2')));
    const avif = new Uint8Array(readFileSync(join(images, 'v.avif')));
    expect(await inspect(tiff)).toEqual({ ok: true, image: { format: 'tiff', width: 16, height: 16 } });
    expect(await inspect(jp2)).toEqual({ ok: true, image: { format: 'jp2', width: 16, height: 16 } });
    expect(await inspect(avif)).toEqual({ ok: true, format: 'avif' });
    expect(await inspectImage(reader(tiff), tiff.length, 'signature')).toEqual({ ok: true, format: 'tiff' });
    expect(((await inspect(tiff.subarray(0, tiff.length - 100))) as { reason?: string }).reason).toMatch(/^it is truncated: its TIFF/);
    expect(((await inspect(jp2.subarray(0, jp2.length - 10))) as { reason?: string }).reason).toMatch(/^it is truncated: its JPEG 2000 box "jp2c"/);
  });
});
