import { YolopsError } from '../core/errors.ts';

/** Base of the errors of the local backend: runner, registry, execution records, MLflow server, watcher. */
export class LocalError extends YolopsError {}
