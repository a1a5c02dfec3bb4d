import { extname } from 'node:path';

/** What the inference server reads under the image content types; it decides by the bytes (JPEG, PNG, WEBP, BMP). */
export type ImageContentType = 'image/jpeg' | 'image/png' | 'application/x-image';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];

function startsWith(bytes: Uint8Array, signature: readonly number[]): boolean {
  return bytes.length >= signature.length && signature.every((b, i) => bytes[i] === b);
}

/**
 * The Content-Type to send a file with: the magic bytes first (a PNG named .jpg is still a PNG), then the
 * extension. Anything else goes as `application/x-image`, so the server's own check names what is wrong with it
 * rather than this client guessing.
 */
export function imageContentType(file: string, bytes: Uint8Array): ImageContentType {
  if (startsWith(bytes, PNG_SIGNATURE)) return 'image/png';
  if (startsWith(bytes, JPEG_SIGNATURE)) return 'image/jpeg';
  const ext = extname(file).toLowerCase();
  if (ext === '.png') return 'image/png';
  if (ext === '.jpg' || ext === '.jpeg') return 'image/jpeg';
  return 'application/x-image';
}
