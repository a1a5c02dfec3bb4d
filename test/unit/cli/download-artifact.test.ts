import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError } from '../../../src/cli/errors.ts';
import { downloadArtifact } from '../../../src/cli/models/download-artifact.ts';
import { FolderObjectStore } from '../../../src/local/folder-object-store.ts';
import { writeTarGz } from '../../../src/local/fs/tar-archive.ts';

const BUCKET = 'artifacts';
const work = mkdtempSync(join(tmpdir(), 'yolops-download-'));
const store = new FolderObjectStore({ root: join(work, 'buckets') });
let archive: Buffer;

beforeAll(async () => {
  await store.createBucket(BUCKET);
  mkdirSync(join(work, 'model'));
  writeFileSync(join(work, 'model', 'best.pt'), Buffer.alloc(20_000, 7));
  await writeTarGz(join(work, 'model'), ['best.pt'], join(work, 'model.tar.gz'));
  archive = readFileSync(join(work, 'model.tar.gz'));
  await store.put(BUCKET, 'runs/1/model.tar.gz', archive);
  await store.put(BUCKET, 'runs/2/model.tar.gz', 'not a tar.gz at all');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const leftovers = (): string[] => readdirSync(work).filter((n) => n.includes('.partial-'));

describe('downloadArtifact', () => {
  it('copies the object in ranged chunks, byte for byte, into a new folder', async () => {
    const into = join(work, 'chunked');
    const result = await downloadArtifact(store, `s3://${BUCKET}/runs/1/model.tar.gz`, into, { chunkBytes: 1000 });
    expect(result).toEqual({ file: join(into, 'model.tar.gz'), bytes: archive.length });
    expect(readFileSync(result.file).equals(archive)).toBe(true);
    expect(readdirSync(into)).toEqual(['model.tar.gz']);
    expect(leftovers()).toEqual([]);
  });

  it('fills an empty folder that exists; refuses one with anything in it, or a file', async () => {
    const empty = join(work, 'empty');
    mkdirSync(empty);
    await downloadArtifact(store, `s3://${BUCKET}/runs/1/model.tar.gz`, empty, { extract: true });
    expect(readdirSync(join(empty, 'model'))).toEqual(['best.pt']);
    await expect(downloadArtifact(store, `s3://${BUCKET}/runs/1/model.tar.gz`, empty)).rejects.toThrow(new CliError(`${empty} exists and is not empty: name a new folder to download into (nothing is overwritten)`));
    await expect(downloadArtifact(store, `s3://${BUCKET}/runs/1/model.tar.gz`, join(empty, 'model', 'best.pt'))).rejects.toThrow(/exists and is not a folder/);
  });

  it('refuses an object replaced while it downloaded (another upload between two ranged GETs), leaving nothing', async () => {
    await store.put(BUCKET, 'runs/4/model.tar.gz', archive);
    // The real folder store, with a second writer that uploads a new model after the first chunk was read.
    let reads = 0;
    const racing = Object.create(store, {
      get: {
        value: async (bucket: string, key: string, options?: Parameters<FolderObjectStore['get']>[2]) => {
          const bytes = await store.get(bucket, key, options);
          if (++reads === 1) await store.put(bucket, key, Buffer.concat([archive, Buffer.from('retrained')]));
          return bytes;
        },
      },
    }) as FolderObjectStore;
    const into = join(work, 'raced');
    const error = await downloadArtifact(racing, `s3://${BUCKET}/runs/4/model.tar.gz`, into, { chunkBytes: 4096 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({ exitCode: 1, message: `s3://${BUCKET}/runs/4/model.tar.gz was replaced while it downloaded: try again` });
    expect(existsSync(into)).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('leaves nothing behind when the archive cannot be unpacked or the object is gone', async () => {
    const broken = join(work, 'broken');
    await expect(downloadArtifact(store, `s3://${BUCKET}/runs/2/model.tar.gz`, broken, { extract: true })).rejects.toThrow(/is not a readable \.tar\.gz/);
    const gone = join(work, 'gone');
    await expect(downloadArtifact(store, `s3://${BUCKET}/runs/3/model.tar.gz`, gone)).rejects.toThrow(`the model artifact s3://${BUCKET}/runs/3/model.tar.gz does not exist any more`);
    expect(existsSync(broken)).toBe(false);
    expect(existsSync(gone)).toBe(false);
    expect(leftovers()).toEqual([]);
  });
});
