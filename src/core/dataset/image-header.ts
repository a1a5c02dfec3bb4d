import { crc32 } from 'node:zlib';
import type { ImageFormat } from './contract.ts';

export type { ImageFormat };

export interface ImageInfo {
  format: ImageFormat;
  width: number;
  height: number;
}

export type ImageInspection =
  | { ok: true; image: ImageInfo }
  /** Read only as far as its signature (a format whose header this reader does not parse): the size is unknown. */
  | { ok: true; image?: undefined; format: ImageFormat }
  | { ok: false; reason: string };

/** `header`: size and end are checked where the format is parsed; `signature`: only what the first bytes say. */
export type InspectionDepth = 'header' | 'signature';

/** Reads `length` bytes at `offset` (fewer at the end of the object): a ranged GET on S3. */
export type RangeReader = (offset: number, length: number) => Promise<Uint8Array>;

/** One read covers a whole small image (a 128 px PNG is ~40 KB) and the header of any large one. */
const WINDOW = 64 * 1024;
/** Phones append trailers (Samsung's SEFT, MPF pictures) after a JPEG's end marker: look this far back for it. */
const JPEG_TAIL = 16 * 1024;

/**
 * Checks that an image is what it claims to be without decoding pixels: the signature, the header (width and
 * height), and the end of the file, which is where an interrupted upload shows. Reads only the first 64 KiB
 * (more only to walk a JPEG's metadata segments or a TIFF's strip table) and the last bytes (12 for a PNG,
 * 16 KiB for a JPEG, 2 for JPEG 2000), so a Lambda can check thousands of images without downloading them.
 * AVIF and HEIF (and any file at depth `signature`) are checked as far as their signature only.
 */
export async function inspectImage(read: RangeReader, size: number, depth: InspectionDepth = 'header'): Promise<ImageInspection> {
  if (size === 0) return fail('the file is empty (0 bytes)');
  const reader = new WindowedReader(read, size);
  const head = await reader.bytes(0, 32);
  const format = sniffFormat(head);
  if (format === undefined) return fail(`it is not a PNG, JPEG, BMP, WebP, TIFF, JPEG 2000, AVIF or HEIF image (${describeSignature(head)})`);
  if (depth === 'signature') return { ok: true, format };
  switch (format) {
    case 'png':
      return inspectPng(reader);
    case 'jpeg':
      return inspectJpeg(reader);
    case 'bmp':
      return inspectBmp(reader);
    case 'webp':
      return inspectWebp(reader);
    case 'tiff':
      return inspectTiff(reader);
    case 'jp2':
      return inspectJp2(reader);
    case 'avif':
    case 'heif':
      return { ok: true, format };
  }
}

/** AVIF and HEIF are ISO-BMFF files: the `ftyp` box names the brands. mif1/msf1 alone mean HEIF. */
const AVIF_BRANDS = new Set(['avif', 'avis']);
const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1']);
const JP2_SIGNATURE = [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a];
const J2K_CODESTREAM = [0xff, 0x4f, 0xff, 0x51];

/** The format the first bytes announce, or undefined. */
export function sniffFormat(head: Uint8Array): ImageFormat | undefined {
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(head, [0x42, 0x4d])) return 'bmp';
  if (startsWith(head, [0x52, 0x49, 0x46, 0x46]) && ascii(head, 8, 4) === 'WEBP') return 'webp';
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (startsWith(head, [0x49, 0x49, 0x2b, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2b])) return 'tiff'; // BigTIFF
  if (startsWith(head, JP2_SIGNATURE) || startsWith(head, J2K_CODESTREAM)) return 'jp2';
  if (head.length >= 16 && ascii(head, 4, 4) === 'ftyp') {
    const boxEnd = Math.min(head.length, dataView(head).getUint32(0));
    const brands = [ascii(head, 8, 4)];
    for (let at = 16; at + 4 <= boxEnd; at += 4) brands.push(ascii(head, at, 4));
    if (brands.some((b) => AVIF_BRANDS.has(b))) return 'avif';
    if (brands.some((b) => HEIF_BRANDS.has(b))) return 'heif';
  }
  return undefined;
}

const PNG_IEND = [0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82];

async function inspectPng(reader: WindowedReader): Promise<ImageInspection> {
  const header = await reader.bytes(8, 25); // IHDR: length, type, 13 bytes of data, CRC
  if (header.length < 25) return fail(`it is truncated: ${reader.size} bytes is too short for a PNG header`);
  const view = dataView(header);
  if (view.getUint32(0) !== 13 || ascii(header, 4, 4) !== 'IHDR') return fail('its first PNG chunk is not a valid IHDR header');
  if ((crc32(header.subarray(4, 21)) >>> 0) !== view.getUint32(21)) return fail('its PNG header checksum (IHDR CRC) is wrong: the file is damaged');
  const width = view.getUint32(8);
  const height = view.getUint32(12);
  if (width === 0 || height === 0) return fail(`its PNG header says ${width}x${height} pixels`);
  const tail = await reader.bytes(reader.size - PNG_IEND.length, PNG_IEND.length);
  if (!startsWith(tail, PNG_IEND)) return fail('it is truncated: the PNG does not end with an IEND chunk (an interrupted upload or copy?)');
  return ok('png', width, height);
}

// SOF markers carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but are not frames.
const isStartOfFrame = (marker: number): boolean => marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

async function inspectJpeg(reader: WindowedReader): Promise<ImageInspection> {
  let offset = 2;
  let dimensions: { width: number; height: number } | undefined;
  // Walk the marker segments (APPn metadata, tables) up to the frame header; each names its own length.
  for (let segments = 0; segments < 1000 && dimensions === undefined; segments += 1) {
    const marker = await reader.bytes(offset, 4);
    if (marker.length < 4) return fail('it is truncated: the JPEG ends before its frame header');
    if (marker[0] !== 0xff) return fail(`its JPEG structure is broken at byte ${offset} (expected a marker)`);
    const type = marker[1] ?? 0;
    if (type === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (type === 0x01 || (type >= 0xd0 && type <= 0xd7)) {
      offset += 2; // markers without a length
      continue;
    }
    if (type === 0xd9 || type === 0xda) return fail('its JPEG has no frame header (no width and height) before the image data');
    const length = dataView(marker).getUint16(2);
    if (length < 2) return fail(`its JPEG segment at byte ${offset} has an impossible length`);
    if (isStartOfFrame(type)) {
      const frame = await reader.bytes(offset + 4, 5);
      if (frame.length < 5) return fail('it is truncated inside the JPEG frame header');
      const view = dataView(frame);
      dimensions = { height: view.getUint16(1), width: view.getUint16(3) };
    }
    offset += 2 + length;
  }
  if (!dimensions) return fail('its JPEG has too many segments before the frame header');
  if (dimensions.width === 0 || dimensions.height === 0) return fail(`its JPEG header says ${dimensions.width}x${dimensions.height} pixels`);
  if (offset > reader.size) return fail('it is truncated: the JPEG ends inside its headers');
  // Entropy-coded data escapes every 0xFF, so FF D9 after the headers can only be an end-of-image marker;
  // phones append trailers after it, hence a window rather than the last two bytes.
  const tailStart = Math.max(offset, reader.size - JPEG_TAIL);
  const tail = await reader.bytes(tailStart, reader.size - tailStart);
  if (!containsPair(tail, 0xff, 0xd9)) return fail('it is truncated: the JPEG has no end-of-image marker (an interrupted upload or copy?)');
  return ok('jpeg', dimensions.width, dimensions.height);
}

async function inspectBmp(reader: WindowedReader): Promise<ImageInspection> {
  const header = await reader.bytes(0, 26);
  if (header.length < 26) return fail(`it is truncated: ${reader.size} bytes is too short for a BMP header`);
  const view = dataView(header);
  const declaredSize = view.getUint32(2, true);
  const pixelOffset = view.getUint32(10, true);
  const infoSize = view.getUint32(14, true);
  let width: number;
  let height: number;
  if (infoSize === 12) {
    width = view.getUint16(18, true);
    height = view.getUint16(20, true);
  } else if (infoSize >= 40) {
    width = view.getInt32(18, true);
    height = Math.abs(view.getInt32(22, true)); // negative: rows stored top-down
  } else {
    return fail(`its BMP info header has an unknown size (${infoSize} bytes)`);
  }
  if (width <= 0 || height <= 0) return fail(`its BMP header says ${width}x${height} pixels`);
  // Writers may leave the size field 0; when set, a shorter file lost its end.
  if ((declaredSize !== 0 && declaredSize > reader.size) || pixelOffset >= reader.size) {
    return fail(`it is truncated: the BMP header announces ${Math.max(declaredSize, pixelOffset + 1)} bytes but the file has ${reader.size}`);
  }
  return ok('bmp', width, height);
}

async function inspectWebp(reader: WindowedReader): Promise<ImageInspection> {
  const header = await reader.bytes(0, 30);
  if (header.length < 30) return fail(`it is truncated: ${reader.size} bytes is too short for a WebP header`);
  const view = dataView(header);
  const riffEnd = view.getUint32(4, true) + 8;
  if (riffEnd > reader.size) return fail(`it is truncated: the WebP header announces ${riffEnd} bytes but the file has ${reader.size}`);
  const chunk = ascii(header, 12, 4);
  let width: number;
  let height: number;
  if (chunk === 'VP8 ') {
    if (header[23] !== 0x9d || header[24] !== 0x01 || header[25] !== 0x2a) return fail('its WebP (VP8) frame has no start code');
    width = view.getUint16(26, true) & 0x3fff;
    height = view.getUint16(28, true) & 0x3fff;
  } else if (chunk === 'VP8L') {
    if (header[20] !== 0x2f) return fail('its WebP (VP8L) stream has no signature byte');
    const bits = view.getUint32(21, true);
    width = (bits & 0x3fff) + 1;
    height = ((bits >>> 14) & 0x3fff) + 1;
  } else if (chunk === 'VP8X') {
    width = (view.getUint32(24, true) & 0xffffff) + 1;
    height = (view.getUint32(26, true) >>> 8) + 1;
  } else {
    return fail(`its WebP has an unknown first chunk ${JSON.stringify(chunk)}`);
  }
  if (width === 0 || height === 0) return fail(`its WebP header says ${width}x${height} pixels`);
  return ok('webp', width, height);
}

const TIFF_WIDTH = 256;
const TIFF_HEIGHT = 257;
const TIFF_DATA_OFFSETS = [273, 324]; // StripOffsets, TileOffsets
const TIFF_DATA_COUNTS = [279, 325]; // StripByteCounts, TileByteCounts

interface TiffEntry {
  type: number;
  count: number;
  /** The value field: the value itself when it fits in 4 bytes, else the offset of the values. */
  field: Uint8Array;
}

async function inspectTiff(reader: WindowedReader): Promise<ImageInspection> {
  const header = await reader.bytes(0, 8);
  if (header.length < 8) return fail(`it is truncated: ${reader.size} bytes is too short for a TIFF header`);
  const little = header[0] === 0x49;
  const view = dataView(header);
  if (view.getUint16(2, little) === 43) return { ok: true, format: 'tiff' }; // BigTIFF: 64-bit offsets, signature only
  const ifd = view.getUint32(4, little);
  const countBytes = await reader.bytes(ifd, 2);
  if (ifd < 8 || countBytes.length < 2) return fail(`it is truncated: its TIFF header points at byte ${ifd}, but the file has ${reader.size}`);
  const count = dataView(countBytes).getUint16(0, little);
  const table = await reader.bytes(ifd + 2, count * 12);
  if (count === 0 || table.length < count * 12) return fail('it is truncated inside its first TIFF directory');
  const entries = new Map<number, TiffEntry>();
  const tableView = dataView(table);
  for (let i = 0; i < count; i += 1) {
    const at = i * 12;
    entries.set(tableView.getUint16(at, little), { type: tableView.getUint16(at + 2, little), count: tableView.getUint32(at + 4, little), field: table.subarray(at + 8, at + 12) });
  }
  const width = await tiffValues(reader, entries.get(TIFF_WIDTH), little);
  const height = await tiffValues(reader, entries.get(TIFF_HEIGHT), little);
  if (width?.[0] === undefined || height?.[0] === undefined) return fail('its TIFF directory has no width and height');
  if (width[0] === 0 || height[0] === 0) return fail(`its TIFF header says ${width[0]}x${height[0]} pixels`);
  // The image data ends where the last strip (or tile) ends: a shorter file lost its end.
  for (const [offsetsTag, countsTag] of TIFF_DATA_OFFSETS.map((tag, i) => [tag, TIFF_DATA_COUNTS[i] ?? 0] as const)) {
    const offsets = await tiffValues(reader, entries.get(offsetsTag), little);
    const counts = await tiffValues(reader, entries.get(countsTag), little);
    if (!offsets || !counts) continue;
    const end = Math.max(...offsets.map((offset, i) => offset + (counts[i] ?? 0)));
    if (end > reader.size) return fail(`it is truncated: its TIFF image data runs to byte ${end}, but the file has ${reader.size}`);
  }
  return ok('tiff', width[0], height[0]);
}

/** The SHORT or LONG values of a TIFF entry (undefined for an absent entry or another type). */
async function tiffValues(reader: WindowedReader, entry: TiffEntry | undefined, little: boolean): Promise<number[] | undefined> {
  if (!entry || (entry.type !== 3 && entry.type !== 4) || entry.count === 0 || entry.count > 1_000_000) return undefined;
  const width = entry.type === 3 ? 2 : 4;
  const bytes = entry.count * width <= 4 ? entry.field : await reader.bytes(dataView(entry.field).getUint32(0, little), entry.count * width);
  if (bytes.length < entry.count * width) return undefined;
  const view = dataView(bytes);
  return Array.from({ length: entry.count }, (_, i) => (width === 2 ? view.getUint16(i * 2, little) : view.getUint32(i * 4, little)));
}

async function inspectJp2(reader: WindowedReader): Promise<ImageInspection> {
  let dimensions: { width: number; height: number } | undefined;
  const head = await reader.bytes(0, 4);
  if (startsWith(head, J2K_CODESTREAM)) {
    // A bare codestream: the SIZ segment follows SOC and gives the reference grid minus its offset.
    const siz = await reader.bytes(4, 36);
    if (siz.length < 36) return fail('it is truncated inside the JPEG 2000 size header');
    const view = dataView(siz);
    dimensions = { width: view.getUint32(6) - view.getUint32(14), height: view.getUint32(10) - view.getUint32(18) };
  } else {
    // The JP2 container: top-level boxes, the header box (jp2h) holds the image header (ihdr).
    for (let offset = 0, boxes = 0; offset < reader.size && boxes < 64; boxes += 1) {
      const box = await reader.bytes(offset, 16);
      if (box.length < 8) return fail('it is truncated inside a JPEG 2000 box header');
      const view = dataView(box);
      const type = ascii(box, 4, 4);
      let length = view.getUint32(0);
      if (length === 1) length = box.length < 16 ? 0 : Number(view.getBigUint64(8));
      else if (length === 0) length = reader.size - offset; // the last box runs to the end of the file
      if (length < 8) return fail(`its JPEG 2000 box ${JSON.stringify(type)} has an impossible length`);
      if (offset + length > reader.size) return fail(`it is truncated: its JPEG 2000 box ${JSON.stringify(type)} runs to byte ${offset + length}, but the file has ${reader.size}`);
      if (type === 'jp2h') {
        const content = await reader.bytes(offset + 8, Math.min(length - 8, 4096));
        for (let at = 0; at + 16 <= content.length; ) {
          const childView = dataView(content.subarray(at));
          const childLength = childView.getUint32(0);
          if (ascii(content, at + 4, 4) === 'ihdr') {
            dimensions = { height: childView.getUint32(8), width: childView.getUint32(12) };
            break;
          }
          if (childLength < 8) break;
          at += childLength;
        }
      }
      offset += length;
    }
  }
  if (!dimensions) return fail('its JPEG 2000 header has no image size (no ihdr box)');
  if (dimensions.width === 0 || dimensions.height === 0) return fail(`its JPEG 2000 header says ${dimensions.width}x${dimensions.height} pixels`);
  const tail = await reader.bytes(reader.size - 2, 2);
  if (!startsWith(tail, [0xff, 0xd9])) return fail('it is truncated: the JPEG 2000 codestream does not end with its end marker (an interrupted upload or copy?)');
  return ok('jp2', dimensions.width, dimensions.height);
}

/** Serves small reads from one cached window, fetching a new window only when a read falls outside it. */
class WindowedReader {
  readonly size: number;
  private readonly read: RangeReader;
  private windowStart = 0;
  private window: Uint8Array = new Uint8Array(0);

  constructor(read: RangeReader, size: number) {
    this.read = read;
    this.size = size;
  }

  async bytes(offset: number, length: number): Promise<Uint8Array> {
    if (offset < 0 || length <= 0 || offset >= this.size) return new Uint8Array(0);
    const end = Math.min(offset + length, this.size);
    if (offset < this.windowStart || end > this.windowStart + this.window.length) {
      this.windowStart = offset;
      this.window = await this.read(offset, Math.max(WINDOW, end - offset));
    }
    return this.window.subarray(offset - this.windowStart, end - this.windowStart);
  }
}

function ok(format: ImageFormat, width: number, height: number): ImageInspection {
  return { ok: true, image: { format, width, height } };
}

function fail(reason: string): ImageInspection {
  return { ok: false, reason };
}

function dataView(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((byte, i) => bytes[i] === byte);
}

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(offset, offset + length));
}

function containsPair(bytes: Uint8Array, first: number, second: number): boolean {
  for (let i = 0; i + 1 < bytes.length; i += 1) if (bytes[i] === first && bytes[i + 1] === second) return true;
  return false;
}

function describeSignature(head: Uint8Array): string {
  if (startsWith(head, [0x47, 0x49, 0x46, 0x38])) return 'it is a GIF';
  if (ascii(head, 4, 4) === 'ftyp') return `it is an ISO media file of brand ${JSON.stringify(ascii(head, 8, 4))} (MP4, MOV, ...)`;
  if (head.length > 0 && head.every((b) => b === 0)) return 'its first bytes are all zero';
  const hex = [...head.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return `it starts with ${hex}`;
}
