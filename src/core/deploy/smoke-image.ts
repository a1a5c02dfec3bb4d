import { crc32, deflateSync } from 'node:zlib';

/** The smoke test's image: small (a serverless cold start pays for every byte), square, one shape the model knows. */
export const SMOKE_IMAGE_SIZE = 64;
export const SMOKE_IMAGE_CONTENT_TYPE = 'image/png';

const BACKGROUND = [200, 200, 200] as const;
const SQUARE = [220, 30, 30] as const;
/** The square's corners, in pixels: a "red-square" of the synthetic dataset (yolops dataset synth). */
const SQUARE_FROM = 20;
const SQUARE_TO = 44;

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * A 64 x 64 RGB PNG: a red square on grey, the same bytes on every call (fixed pixels, fixed deflate level), so a
 * smoke test sends one known image and the server's answer can be checked against its size.
 */
export function smokeImage(): Uint8Array {
  const size = SMOKE_IMAGE_SIZE;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bits per channel
  ihdr[9] = 2; // colour type: RGB
  // compression, filter and interlace methods: 0
  const rows = Buffer.alloc(size * (1 + size * 3));
  for (let y = 0; y < size; y++) {
    const row = y * (1 + size * 3);
    rows[row] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const inside = x >= SQUARE_FROM && x < SQUARE_TO && y >= SQUARE_FROM && y < SQUARE_TO;
      const colour = inside ? SQUARE : BACKGROUND;
      rows.set(colour, row + 1 + x * 3);
    }
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return new Uint8Array(Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', Buffer.alloc(0))]));
}
