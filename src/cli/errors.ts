import { YolopsError, type ErrorAudience } from '../core/errors.ts';

/** Exit codes of every yolops command. */
export const EXIT = {
  ok: 0,
  /** The thing asked for ran and failed: an invalid dataset, a failed execution, a rejected gate. */
  failed: 1,
  /** Bad usage or bad config: nothing was started. */
  usage: 2,
} as const;

export interface CliErrorOptions {
  cause?: unknown;
  /** @default 'user': the CLI's own checks are about what the person typed */
  audience?: ErrorAudience;
  /** @default EXIT.usage for a user's mistake, EXIT.failed otherwise */
  exitCode?: number;
}

/**
 * Base of the errors of the `yolops` command. Most are a person's mistake (a flag, a folder, a name), so the
 * audience defaults to `user`; `exitCode` lets a command end with 1 where the thing asked for ran and failed
 * (a dataset the contract rejects) rather than with 2 for bad usage.
 */
export class CliError extends YolopsError {
  readonly exitCode: number;

  constructor(message: string, options: CliErrorOptions = {}) {
    const audience = options.audience ?? 'user';
    super(message, { audience, ...(options.cause === undefined ? {} : { cause: options.cause }) });
    this.exitCode = options.exitCode ?? (audience === 'user' ? EXIT.usage : EXIT.failed);
  }
}
