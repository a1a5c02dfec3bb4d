import type { CliContext } from '../context.ts';
import { CliError } from '../errors.ts';

/**
 * The AWS side of `yolops models promote` and `yolops models stages`, kept in this one file: promoting on AWS
 * (the production endpoint, blue/green with canary) is `promoteOnAws(session, version, { wait, out })` of
 * promote-aws.ts, which is not part of this build yet. Until it is, both refuse in one line (exit 2).
 */
export function promoteOnAwsTarget(_ctx: CliContext, _version: number, _options: { wait: boolean }): Promise<void> {
  return Promise.reject(new CliError('promoting to the production endpoint on AWS is not built yet: `yolops models promote` points the local production stage (leave out --target aws)'));
}

export function stagesOnAwsTarget(_ctx: CliContext): Promise<void> {
  return Promise.reject(new CliError('listing the AWS endpoints (staging, production) is not built yet: `yolops models stages` lists the local stages (leave out --target aws)'));
}
