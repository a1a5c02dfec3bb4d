import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelVersionRecord } from '../../core/registry/model-version.ts';
import { parseS3Uri } from '../../core/storage/s3-uri.ts';
import { FolderObjectStore } from '../folder-object-store.ts';
import type { LocalLayout } from '../layout.ts';
import type { PythonEnvironment } from '../python-env.ts';
import { ModelServerError, startModelServer, type ModelServer } from './model-server.ts';

export interface ServeVersionOptions {
  layout: LocalLayout;
  python: PythonEnvironment;
  trainingDir: string;
  host?: string;
  port?: number;
  startTimeoutMs?: number;
}

/** The file in the local bucket folders that holds a version's model.tar.gz; fails when it is gone. */
export function localArtifactPath(layout: LocalLayout, record: ModelVersionRecord): string {
  const { bucket, key } = parseS3Uri(record.artifactUri);
  const path = new FolderObjectStore({ root: layout.buckets }).objectPath(bucket, key);
  if (!existsSync(path)) {
    throw new ModelServerError(`the model artifact of ${record.modelPackageGroupName} version ${record.version} is gone (${record.artifactUri}, the file ${path}): serve another version`, { audience: 'user' });
  }
  return path;
}

/**
 * Serves one registered version of the local registry as an endpoint would: its model.tar.gz straight from the
 * bucket folder (the server unpacks best.pt into its work dir), with the container environment it was registered
 * with, the log and work dir under `<root>/serving/<group>-v<version>/`.
 */
export async function serveVersionLocally(record: ModelVersionRecord, options: ServeVersionOptions): Promise<ModelServer> {
  const model = localArtifactPath(options.layout, record);
  const dir = join(options.layout.serving, `${record.modelPackageGroupName}-v${record.version}`);
  await mkdir(dir, { recursive: true });
  return startModelServer({
    python: options.python,
    trainingDir: options.trainingDir,
    model,
    workDir: join(dir, 'work'),
    logFile: join(dir, 'server.log'),
    ...(record.inference === undefined ? {} : { registeredEnvironment: record.inference.environment }),
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.startTimeoutMs === undefined ? {} : { startTimeoutMs: options.startTimeoutMs }),
  });
}
