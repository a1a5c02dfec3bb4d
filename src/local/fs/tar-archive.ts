import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { create, extract } from 'tar';

/** Every entry gets this time, so the same files always give the same archive bytes. */
const FIXED_MTIME = new Date('2000-01-01T00:00:00Z');

export interface TarResult {
  /** sha256 of the uncompressed tar: the content identity, independent of the zlib build that compressed it. */
  tarSha256: string;
  files: number;
  bytes: number;
}

/**
 * node-tar writes a second name of a hard-linked file as a link entry, which would make the archive depend on
 * how the folder was copied; a cache that remembers nothing archives every file with its content.
 */
class NoHardLinks extends Map<`${number}:${number}`, string> {
  override set(): this {
    return this;
  }
}

/**
 * Writes `files` (relative to `sourceDir`, `/`-separated) as a gzipped tar with the files at the archive root,
 * the layout SageMaker gives model.tar.gz and sourcedir.tar.gz. Reproducible: node-tar's `portable` mode (no
 * owner, no atime/ctime), entries in sorted order, one fixed mtime, mode 0644 or 0755 (executable) whatever the
 * umask of the checkout, symlinks archived as the files they point to, and a gzip header without time or OS.
 * So equal content gives equal bytes, and a code bundle is named by its content.
 */
export async function writeTarGz(sourceDir: string, files: readonly string[], outFile: string): Promise<TarResult> {
  const sorted = [...files].sort();
  const hash = createHash('sha256');
  let bytes = 0;
  const pack = create(
    {
      cwd: sourceDir,
      portable: true,
      mtime: FIXED_MTIME,
      follow: true,
      strict: true,
      linkCache: new NoHardLinks(),
      onWriteEntry: (entry) => {
        if (entry.stat) entry.stat.mode = (entry.stat.mode & ~0o7777) | (entry.stat.mode & 0o111 ? 0o755 : 0o644);
      },
    },
    sorted,
  );
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  await mkdir(dirname(outFile), { recursive: true });
  await pipeline(Readable.from(pack), hashing, createGzip({ level: 9 }), normalizeGzipHeader(), createWriteStream(outFile));
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
