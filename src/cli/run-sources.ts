import { parseExecutionArn, SageMakerTrainingJobs, type TrainingJob } from '../aws/index.ts';
import { forEachConcurrently } from '../core/dataset/concurrency.ts';
import { partitionOf } from '../core/pipeline/index.ts';
import { ExecutionStore, localLayout } from '../local/index.ts';
import type { AwsSession } from './aws-session.ts';
import { CliError } from './errors.ts';
import type { Project } from './project.ts';
import { buildExecutionReport } from './render/execution-report.ts';
import { awsRunView } from './render/run-view-aws.ts';
import { localRunView } from './render/run-view-local.ts';
import { summaryOf, type RunSummary, type RunView } from './render/run-view.ts';
import type { JobProgress, WatchSnapshot } from './render/watch-lines.ts';
import type { Target } from './target.ts';

/** The word that names the newest execution wherever an execution is asked for. */
export const LATEST = 'latest';

/**
 * Where `yolops runs` and `yolops pipeline status|watch|list` read executions from: the local execution store or
 * SageMaker. Both give run views (render/run-view.ts), so the commands print one shape on both targets.
 */
export interface RunSource {
  readonly target: Target;
  /** An execution id, an execution ARN (AWS) or `latest`, as the reference `load` and `snapshot` take. */
  resolve(reference: string): Promise<string>;
  load(reference: string): Promise<RunView>;
  /** The run and its training jobs' progress, for `pipeline watch`. */
  snapshot(reference: string): Promise<WatchSnapshot>;
  /** Newest first; at most `limit`. */
  list(limit?: number): Promise<RunSummary[]>;
}

export function localRunSource(project: Project): RunSource {
  const store = new ExecutionStore(localLayout(project.localRoot).executions);
  const load = async (id: string): Promise<RunView> => {
    const { record } = await store.show(id);
    return localRunView(record, { report: await buildExecutionReport(project.localRoot, record) });
  };
  return {
    target: 'local',
    async resolve(reference) {
      if (reference !== LATEST) return reference;
      const newest = (await store.list())[0];
      if (!newest) throw new CliError(`there are no local executions yet (${store.dir}): start one with \`yolops pipeline start --data <version>\` or \`yolops run --dataset <dir>\``);
      return newest.record.executionId;
    },
    load,
    snapshot: async (id) => ({ view: await load(id), jobs: {} }),
    list: async (limit) => (await store.list()).slice(0, limit).map(({ record }) => summaryOf(localRunView(record))),
  };
}

const EXECUTION_ID = /^[A-Za-z0-9][A-Za-z0-9-]{0,127}$/;
const JOB_ENDED = new Set(['Completed', 'Failed', 'Stopped']);
const LIST_CONCURRENCY = 4;

export function awsRunSource(session: AwsSession): RunSource {
  const pipelineName = session.names.pipeline;
  const trainingJobs = new SageMakerTrainingJobs(session.sagemaker);
  // A job that has ended does not change: described once per process (a watch polls many times).
  const endedJobs = new Map<string, TrainingJob>();
  const describeJob = async (arn: string): Promise<TrainingJob> => {
    const cached = endedJobs.get(arn);
    if (cached) return cached;
    const job = await trainingJobs.describe(arn);
    if (JOB_ENDED.has(job.status)) endedJobs.set(arn, job);
    return job;
  };

  const read = async (arn: string): Promise<{ view: RunView; jobsByStep: Record<string, TrainingJob> }> => {
    // One after the other: the steps are then at least as new as the status, so a run that reads Succeeded
    // never shows a step still Executing.
    const execution = await session.pipelines.describeExecution(arn);
    const steps = await session.pipelines.listSteps(arn);
    const jobsByStep: Record<string, TrainingJob> = {};
    for (const step of steps) if (step.jobArn?.includes(':training-job/')) jobsByStep[step.name] = await describeJob(step.jobArn);
    const byArn = new Map(Object.values(jobsByStep).map((job) => [job.arn, job]));
    return { view: awsRunView({ execution, region: session.region, steps, trainingJobs: byArn }), jobsByStep };
  };

  return {
    target: 'aws',
    async resolve(reference) {
      if (reference === LATEST) {
        const newest = (await session.pipelines.listExecutions(pipelineName, { limit: 1 }))[0];
        if (!newest) throw new CliError(`pipeline ${pipelineName} has no executions yet in ${session.region}: start one with \`yolops --target aws pipeline start --data <version>\``);
        return newest.executionArn;
      }
      if (parseExecutionArn(reference)) return reference;
      if (!EXECUTION_ID.test(reference)) {
        throw new CliError(`${JSON.stringify(reference)} is neither an execution id nor a pipeline execution ARN (arn:aws:sagemaker:<region>:<account>:pipeline/<name>/execution/<id>), nor "${LATEST}"`);
      }
      const { aws_account_id: account } = session.context;
      return `arn:${partitionOf(session.context.aws_region)}:sagemaker:${session.region}:${account}:pipeline/${pipelineName}/execution/${reference}`;
    },
    load: async (arn) => (await read(arn)).view,
    async snapshot(arn) {
      const { view, jobsByStep } = await read(arn);
      const jobs: Record<string, JobProgress> = {};
      for (const [step, job] of Object.entries(jobsByStep)) jobs[step] = { status: job.status, transitions: job.transitions };
      return { view, jobs };
    },
    async list(limit) {
      const summaries = await session.pipelines.listExecutions(pipelineName, limit === undefined ? {} : { limit });
      // The listing lacks the parameters (dataset, code version) and the end: one DescribePipelineExecution each.
      const views: RunSummary[] = new Array<RunSummary>(summaries.length);
      await forEachConcurrently(summaries, LIST_CONCURRENCY, async (s, index) => {
        views[index] = summaryOf(awsRunView({ execution: await session.pipelines.describeExecution(s.executionArn), region: session.region }));
      });
      return views;
    },
  };
}
