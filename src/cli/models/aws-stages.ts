import { DEPLOY_STAGES } from '../../core/deploy/deploy-stage.ts';
import type { StageDeployment, StageState } from '../../core/deploy/stage-state.ts';
import type { CliContext } from '../context.ts';
import { info, printJson, table } from '../output.ts';
import { openDeployments, promoteOnAws } from './promote-aws.ts';

/** `yolops models promote <version> --target aws`: the production endpoint, blue/green (promote-aws.ts). */
export async function promoteOnAwsTarget(ctx: CliContext, version: number, options: { wait: boolean; json: boolean }): Promise<void> {
  const result = await promoteOnAws(await ctx.aws(), version, { wait: options.wait, out: info });
  if (options.json) printJson(result);
  else process.stdout.write(`production (${result.endpoint}): version ${result.version} ${result.outcome} (${result.status ?? 'unknown status'})\n`);
}

const where = (d: StageDeployment | undefined): string => {
  if (d === undefined) return '-';
  if (d.serverless) return `serverless ${d.serverless.memoryMb} MB x ${d.serverless.maxConcurrency}`;
  return `${d.instanceCount ?? '?'} x ${d.instanceType ?? '?'}`;
};
const versionOf = (d: StageDeployment | undefined): string => (d?.version ? String(d.version.version) : d ? `unknown (${d.modelName ?? 'model deleted'})` : '-');

/** One row per stage: what its endpoint serves, how, and what an update in progress brings. */
function awsStagesTable(states: readonly StageState[]): string {
  return table(
    ['stage', 'endpoint', 'status', 'version', 'runs on', 'data capture', 'since', 'updating to'],
    states.map((s) => [
      s.stage,
      s.endpointName,
      s.exists ? (s.status ?? '?') : 'absent',
      versionOf(s.current),
      where(s.current),
      s.current?.dataCapturePercent === undefined ? '-' : `${s.current.dataCapturePercent}%`,
      s.lastModified ? s.lastModified.toISOString().replace('T', ' ').slice(0, 19) : '-',
      s.pending ? versionOf(s.pending) : '-',
    ]),
  );
}

/** `yolops models stages --target aws`: what the staging and production endpoints serve, read back from SageMaker. */
export async function stagesOnAwsTarget(ctx: CliContext, options: { json: boolean }): Promise<void> {
  const { deployments, autoscaling, runtime } = openDeployments(await ctx.aws());
  try {
    const states = await Promise.all(DEPLOY_STAGES.map((stage) => deployments.describeStage(stage)));
    if (options.json) printJson(states);
    else process.stdout.write(`${awsStagesTable(states)}\n`);
    for (const s of states) if (s.failureReason) info(`${s.endpointName}: ${s.failureReason}`);
  } finally {
    autoscaling.destroy();
    runtime.destroy();
  }
}
