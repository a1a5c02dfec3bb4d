import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout this code runs from: default home of `training/` and `.venv/`. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The local backend's state under one root (`.yolops/` or YOLOPS_HOME), as docs/contracts.md lays it out. */
export interface LocalLayout {
  root: string;
  /** `buckets/<bucket>/<key>`: one folder per bucket. */
  buckets: string;
  /** `executions/<id>/execution.json` and `executions/<id>/steps/<step>/`. */
  executions: string;
  /** `registry/<group>/<version>.json`. */
  registry: string;
  mlflowDir: string;
  mlflowDb: string;
  /** The watcher's durable record of the dataset versions it started. */
  watch: string;
  /** Scratch space (code bundles being built). */
  work: string;
  /** `serving/<group>-v<version>/`: a served version's server log and work dir (`yolops serve`). */
  serving: string;
  /** `serving/stages/<stage>.json`: the version each local stage serves, and its history (`yolops models stages`). */
  stages: string;
}

export function localLayout(root: string): LocalLayout {
  const r = resolve(root);
  return {
    root: r,
    buckets: join(r, 'buckets'),
    executions: join(r, 'executions'),
    registry: join(r, 'registry'),
    mlflowDir: join(r, 'mlflow'),
    mlflowDb: join(r, 'mlflow', 'mlflow.db'),
    watch: join(r, 'watch'),
    work: join(r, 'work'),
    serving: join(r, 'serving'),
    stages: join(r, 'serving', 'stages'),
  };
}
