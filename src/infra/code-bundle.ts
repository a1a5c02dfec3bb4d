import { buildCodeBundle } from '../local/code-bundle.ts';

/** training/ packed for the pipeline, in a folder that holds exactly what goes to `code/{version}/`. */
export interface StagedCodeBundle {
  /** The bundle's content hash: the CodeVersion of the executions that run it. */
  readonly version: string;
  /** A folder with `sourcedir.tar.gz` and `processing_entrypoint.sh`, and nothing else. */
  readonly directory: string;
}

/**
 * Packs `trainingDir` into `directory` (new or empty) with the function behind `yolops code bundle`, so that
 * `cdk deploy` uploads the very bytes, under the very version, the CLI prints for the same files. Offline, no
 * Docker: the bundle is a deterministic tar.gz of the Python sources.
 */
export async function stageCodeBundle(trainingDir: string, directory: string): Promise<StagedCodeBundle> {
  const { version } = await buildCodeBundle(trainingDir, directory);
  return { version, directory };
}
