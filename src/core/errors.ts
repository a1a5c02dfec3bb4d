/**
 * The root of every error yolops raises on purpose, and the base of the core layer's errors. Each layer has one
 * base class (CoreError here, LocalError in src/local, CliError in src/cli, InfraError in src/infra) with
 * subclasses that carry a name, a cause and, where it helps, the data a caller branches on.
 *
 * `audience` is how a shell decides what to print: `user` means the input was wrong (a bad flag, file, key or
 * value) and the message alone says what and how to fix it, so the CLI prints one line and exits 2; `internal`
 * means something went wrong that the person running the command did not cause, and its stack is worth seeing.
 */
export type ErrorAudience = 'user' | 'internal';

export interface YolopsErrorOptions {
  cause?: unknown;
  /** @default 'internal' */
  audience?: ErrorAudience;
}

export class YolopsError extends Error {
  readonly audience: ErrorAudience;

  constructor(message: string, options: YolopsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.audience = options.audience ?? 'internal';
  }
}

/** Base of the errors of src/core: config, dataset contract, pipeline definition and compiler, storage keys. */
export class CoreError extends YolopsError {}

/** True for an error whose message is meant for the person who gave the input (see YolopsError.audience). */
export function isUserError(error: unknown): boolean {
  return error instanceof YolopsError && error.audience === 'user';
}
