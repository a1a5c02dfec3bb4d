import { crc32 } from 'node:zlib';

export type ImageFormat = 'png' | 'jpeg' | 'bmp' | 'webp';

/** File extensions (lowercase, no dot) the contract accepts, and the format each promises. */
export const IMAGE_EXTENSIONS: ReadonlyMap<string, ImageFormat> = new Map([
  ['jpg', 'jpeg'],
  ['jpeg', 'jpeg'],
  ['png', 'png'],
  ['bmp', 'bmp'],
  ['webp', 'webp'],
]);

export interface ImageInfo {
  format: ImageFormat;
  width: number;
  height: number;
}

export type ImageInspection = { ok: true; image: ImageInfo } | { ok: false; reason: string };

/** Reads `length` bytes at `offset` (fewer at the end of the object): a ranged GET on S3. */
export type RangeReader = (offset: number, length: number) => Promise<Uint8Array>;

/** One read covers a whole small image (a 128 px PNG is ~40 KB) and the header of any large one. */
const WINDOW = 64 * 1024;
/** Phones append trailers (Samsung's SEFT, MPF pictures) after a JPEG's end marker: look this far back for it. */
const JPEG_TAIL = 16 * 1024;

/**
 * Checks that an image is what it claims to be without decoding pixels: the signature, the header (width and
 * height), and the end of the file, which is where an interrupted upload shows. Reads only the first 64 KiB
 * (more only to walk a JPEG's metadata segments) and the last bytes (12 for a PNG, 16 KiB for a JPEG), so a Lambda can check thousands of
 * images without downloading them.
 */
export async function inspectImage(read: RangeReader, size: number): Promise<ImageInspection> {
  if (size === 0) return fail('the file is empty (0 bytes)');
  const reader = new WindowedReader(read, size);
  const head = await reader.bytes(0, 32);
  const format = sniffFormat(head);
  if (format === undefined) return fail(`it is not a PNG, JPEG, BMP or WebP image (${describeSignature(head)})`);
  switch (format) {
    case 'png':
      return inspectPng(reader);
    case 'jpeg':
      return inspectJpeg(reader);
    case 'bmp':
      return inspectBmp(reader);
    case 'webp':
      return inspectWebp(reader);
  }
}

/** The format the first bytes announce, or undefined. */
export function sniffFormat(head: Uint8Array): ImageFormat | undefined {
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(head, [0x42, 0x4d])) return 'bmp';
  if (startsWith(head, [0x52, 0x49, 0x46, 0x46]) && ascii(head, 8, 4) === 'WEBP') return 'webp';
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
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return 'it is a TIFF';
  if (ascii(head, 4, 4) === 'ftyp') return 'it is a HEIC/MP4-family file';
  if (head.length > 0 && head.every((b) => b === 0)) return 'its first bytes are all zero';
  const hex = [...head.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return `it starts with ${hex}`;
}
