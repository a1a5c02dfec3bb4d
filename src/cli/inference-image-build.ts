import { InferenceImageBuilds, type ImageBuild } from '../aws/index.ts';
import { inferenceImageUri, partitionOf } from '../core/pipeline/index.ts';
import type { AwsSession } from './aws-session.ts';
import { CliError, EXIT } from './errors.ts';

/** What became of a code version's inference image, as `yolops code push --json` prints it. */
export interface InferenceImageReport {
  uri: string;
  /** `exists`: already in ECR; `started`: a build is under way (or, with --wait, ended well); `not-deployed`: nothing can build it yet. */
  state: 'exists' | 'started' | 'not-deployed';
  build?: { id: string; status: string; consoleUrl: string; logGroup: string };
  /** Why no build started, for `not-deployed`. */
  reason?: string;
}

export interface ImageBuildOptions {
  wait: boolean;
  intervalMs: number;
  /** A progress line (the build's phases while waiting). */
  progress: (line: string) => void;
}

/**
 * Makes sure the inference image of `version` exists or is being built: the image every version registered by an
 * execution of that code names (src/core/pipeline/aws/images.ts). The ServingStack creates the repository and
 * the CodeBuild project; until it is deployed there is nothing to build with, which is not a failure of the push.
 * With `wait`, a build that does not succeed is (exit 1, with its phase and reason).
 */
export async function ensureInferenceImage(session: AwsSession, version: string, options: ImageBuildOptions): Promise<InferenceImageReport> {
  const { names } = session;
  const uri = inferenceImageUri(session.context, version);
  const builds = new InferenceImageBuilds(session.ecr, session.codeBuild);
  const start = await builds.ensureImage({ repository: names.inferenceImageRepository, project: names.inferenceImageProject, sourceBucket: names.trainingDataBucket, version });
  if (start.state === 'exists') return { uri, state: 'exists' };
  if (start.state === 'not-deployed') {
    const what = start.missing === 'repository' ? `the ECR repository ${start.name}` : `the CodeBuild project ${start.name}`;
    const reason = `${what} does not exist in account ${session.context.aws_account_id}, region ${session.region}: deploy the serving stack (npx cdk deploy ${names.servingStack}), then run code push again`;
    if (options.wait) throw new CliError(`cannot build the inference image ${uri}: ${reason}`);
    return { uri, state: 'not-deployed', reason };
  }
  const watch = { consoleUrl: buildConsoleUrl(session, start.build.id), logGroup: names.inferenceImageLogGroup };
  if (!options.wait) return { uri, state: 'started', build: { id: start.build.id, status: start.build.status, ...watch } };
  options.progress(`image build ${start.build.id} started; waiting for it (${watch.consoleUrl})`);
  // Ctrl-C ends the waiting only: the build goes on in CodeBuild.
  const ended = await builds.waitForBuild(start.build.id, {
    intervalMs: options.intervalMs,
    onChange: (build) => options.progress(`  ${build.status === 'IN_PROGRESS' ? (build.phase ?? 'IN_PROGRESS') : build.status}`),
  });
  if (ended.status !== 'SUCCEEDED') throw new CliError(buildFailure(ended, watch.logGroup), { exitCode: EXIT.failed });
  return { uri, state: 'started', build: { id: ended.id, status: ended.status, ...watch } };
}

function buildFailure(build: ImageBuild, logGroup: string): string {
  const failure = build.failure ?? { phase: build.phase ?? 'unknown', status: build.status, reason: 'CodeBuild gave no reason' };
  return `the inference image build ${build.id} ended ${build.status} in phase ${failure.phase} (${failure.status}): ${failure.reason}; its log: aws logs tail ${logGroup} --since 1h`;
}

/** The CodeBuild console page of a build, in the session's partition. */
export function buildConsoleUrl(session: Pick<AwsSession, 'region' | 'context'>, buildId: string): string {
  const region = session.region;
  const project = buildId.split(':')[0] ?? buildId;
  const host = { aws: `${region}.console.aws.amazon.com`, 'aws-cn': `${region}.console.amazonaws.cn`, 'aws-us-gov': 'console.amazonaws-us-gov.com' }[partitionOf(session.context.aws_region)];
  return `https://${host}/codesuite/codebuild/${session.context.aws_account_id}/projects/${project}/build/${encodeURIComponent(buildId)}/?region=${region}`;
}

/** The lines `yolops code push` prints about the image. */
export function imageReportLines(report: InferenceImageReport): string[] {
  if (report.state === 'exists') return [`image:       ${report.uri} (already built)`];
  if (report.state === 'not-deployed') return [`image:       ${report.uri} not built: ${report.reason ?? ''}`];
  const build = report.build;
  if (build === undefined) return [`image:       ${report.uri}`];
  if (build.status === 'SUCCEEDED') return [`image:       ${report.uri} (built by ${build.id})`];
  return [
    `image:       ${report.uri} building: CodeBuild build ${build.id}`,
    `             follow it: ${build.consoleUrl}`,
    `             or its log: aws logs tail ${build.logGroup} --follow`,
  ];
}
