import { CliError } from './errors.ts';

/** The backends one command set drives: this machine (the default) or the deployed stacks on AWS. */
export const TARGETS = ['local', 'aws'] as const;
export type Target = (typeof TARGETS)[number];

/** The environment variable that sets the target when `--target` is not given (CI jobs set it once). */
export const TARGET_ENV = 'YOLOPS_TARGET';

/** `--target` if given, else YOLOPS_TARGET, else `local`; a CliError (exit 2) naming where a bad value came from. */
export function resolveTarget(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Target {
  const [value, source] = flag !== undefined ? [flag, '--target'] : env[TARGET_ENV] ? [env[TARGET_ENV], TARGET_ENV] : ['local', 'default'];
  if ((TARGETS as readonly string[]).includes(value)) return value as Target;
  throw new CliError(`${source} is ${JSON.stringify(value)}: use ${TARGETS.map((t) => JSON.stringify(t)).join(' or ')}`);
}
