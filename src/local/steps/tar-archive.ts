import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { Header, extract } from 'tar';

/** Every entry gets this time and owner, so the same files always give the same archive bytes. */
const FIXED_MTIME = new Date('2000-01-01T00:00:00Z');
const BLOCK = 512;

export interface TarResult {
  /** sha256 of the uncompressed tar: the content identity, independent of the zlib build that compressed it. */
  tarSha256: string;
  files: number;
  bytes: number;
}

/**
 * Writes `files` (relative to `sourceDir`, `/`-separated) as a gzipped tar with the files at the archive root,
 * the layout SageMaker gives model.tar.gz. Entries are sorted, with fixed time, owner and mode (0644, or 0755
 * when the file is executable), and the gzip header carries no time or OS, so equal content gives equal bytes.
 */
export async function writeTarGz(sourceDir: string, files: readonly string[], outFile: string): Promise<TarResult> {
  const sorted = [...files].sort();
  const hash = createHash('sha256');
  let bytes = 0;
  async function* entries(): AsyncGenerator<Buffer> {
    for (const file of sorted) {
      const path = join(sourceDir, ...file.split('/'));
      const info = await stat(path);
      const header = new Header({
        path: file,
        mode: info.mode & 0o111 ? 0o755 : 0o644,
        uid: 0,
        gid: 0,
        uname: '',
        gname: '',
        size: info.size,
        mtime: FIXED_MTIME,
        type: 'File',
      });
      const block = Buffer.alloc(BLOCK);
      if (header.encode(block, 0)) throw new Error(`cannot archive ${file}: its path is too long for a plain tar header (at most 255 characters, 100 per name)`);
      yield block;
      let written = 0;
      for await (const chunk of createReadStream(path)) {
        written += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
      if (written !== info.size) throw new Error(`${path} changed size while it was archived (${info.size} -> ${written} bytes)`);
      const padding = (BLOCK - (info.size % BLOCK)) % BLOCK;
      if (padding) yield Buffer.alloc(padding);
    }
    yield Buffer.alloc(BLOCK * 2);
  }
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  await mkdir(dirname(outFile), { recursive: true });
  await pipeline(Readable.from(entries()), hashing, createGzip({ level: 9 }), normalizeGzipHeader(), createWriteStream(outFile));
  return { tarSha256: hash.digest('hex'), files: sorted.length, bytes };
}

/** zlib writes the OS of the machine into byte 9 of the gzip header; fix it to "Unix" so hosts agree. */
function normalizeGzipHeader(): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      if (seen <= 9 && seen + chunk.length > 9) {
        chunk = Buffer.from(chunk);
        chunk[9 - seen] = 3;
      }
      seen += chunk.length;
      callback(null, chunk);
    },
  });
}

/** Extracts a .tar.gz into `destination` (node-tar refuses absolute paths and `..`, so nothing lands outside). */
export async function extractTarGz(archive: string, destination: string): Promise<void> {
  await mkdir(destination, { recursive: true });
  await extract({ file: archive, cwd: destination, strict: true });
}
