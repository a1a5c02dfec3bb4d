import { setTimeout as sleep } from 'node:timers/promises';
import { BatchGetBuildsCommand, BatchGetProjectsCommand, StartBuildCommand, type CodeBuildClient } from '@aws-sdk/client-codebuild';
import { DescribeImagesCommand, type ECRClient } from '@aws-sdk/client-ecr';
import * as z from 'zod';
import { PREFIXES } from '../core/naming.ts';
import { AwsError } from './errors.ts';
import { describeFailure, serviceErrorInfo } from './sdk-errors.ts';

/** An ECR or CodeBuild call about the inference image failed, or answered something this code cannot read. */
export class InferenceImageError extends AwsError {
  readonly operation: string;
  constructor(operation: string, message: string, options: { cause?: unknown; audience?: 'user' | 'internal' } = {}) {
    super(message, options);
    this.operation = operation;
  }
}

/** Where a code version's inference image comes from and goes to (resourceNames: inferenceImage*, trainingDataBucket). */
export interface InferenceImageTarget {
  /** The ECR repository, e.g. `yolops-inference`; the tag is the version. */
  repository: string;
  /** The CodeBuild project that builds it, e.g. `yolops-inference-image`. */
  project: string;
  /** The training data bucket: the build's source is `s3://{bucket}/code/{version}/`. */
  sourceBucket: string;
  /** The code version (CodeVersion): the folder the source is in, and the image's tag. */
  version: string;
}

export const IMAGE_BUILD_STATUSES = ['IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'FAULT', 'TIMED_OUT', 'STOPPED'] as const;
export type ImageBuildStatus = (typeof IMAGE_BUILD_STATUSES)[number];

/** One CodeBuild build of the image, as much of it as the CLI shows. */
export interface ImageBuild {
  id: string;
  status: ImageBuildStatus;
  /** The phase it is in (QUEUED, PROVISIONING, ..., BUILD, ..., COMPLETED), when CodeBuild says. */
  phase: string | undefined;
  /** For a build that did not succeed: the first phase that did not, and CodeBuild's reason. */
  failure?: { phase: string; status: string; reason: string };
  /** CodeBuild's link to the build's CloudWatch log, once it has one. */
  logsUrl?: string;
}

/** What `ensureImage` did: the image is there, a build started, or nothing can build it in this account yet. */
export type ImageBuildStart =
  | { state: 'exists' }
  | { state: 'started'; build: ImageBuild }
  | { state: 'not-deployed'; missing: 'repository' | 'project'; name: string };

const optionalText = z.string().nullish().transform((value) => (value ? value : undefined));
const buildSchema = z.object({
  id: z.string().min(1),
  buildStatus: z.enum(IMAGE_BUILD_STATUSES),
  currentPhase: optionalText,
  phases: z
    .array(z.object({ phaseType: z.string(), phaseStatus: optionalText, contexts: z.array(z.object({ statusCode: optionalText, message: optionalText })).nullish() }))
    .nullish(),
  logs: z.object({ deepLink: optionalText }).nullish(),
});

/** The variable the project's buildspec tags the image with. */
export const IMAGE_TAG_VARIABLE = 'IMAGE_TAG';

/**
 * The inference image of each code version: ECR tells whether `{repository}:{version}` exists, and the CodeBuild
 * project builds it from the code bundle `yolops code push` uploaded (its sourcedir.tar.gz holds training/ with
 * the Dockerfile). Builds take minutes; `waitForBuild` polls BatchGetBuilds until one ends.
 */
export class InferenceImageBuilds {
  private readonly ecr: ECRClient;
  private readonly codeBuild: CodeBuildClient;

  constructor(ecr: ECRClient, codeBuild: CodeBuildClient) {
    this.ecr = ecr;
    this.codeBuild = codeBuild;
  }

  /** Starts a build when the image is not in ECR yet and the project exists. */
  async ensureImage(target: InferenceImageTarget): Promise<ImageBuildStart> {
    const image = await this.imageState(target.repository, target.version);
    if (image === 'present') return { state: 'exists' };
    if (image === 'no-repository') return { state: 'not-deployed', missing: 'repository', name: target.repository };
    if (!(await this.projectExists(target.project))) return { state: 'not-deployed', missing: 'project', name: target.project };
    return { state: 'started', build: await this.startBuild(target) };
  }

  /** Whether `{repository}:{tag}` is in ECR; `no-repository` when the repository itself is missing. */
  async imageState(repository: string, tag: string): Promise<'present' | 'absent' | 'no-repository'> {
    try {
      const answer = await this.ecr.send(new DescribeImagesCommand({ repositoryName: repository, imageIds: [{ imageTag: tag }] }));
      return (answer.imageDetails ?? []).length > 0 ? 'present' : 'absent';
    } catch (error) {
      const name = serviceErrorInfo(error)?.name;
      if (name === 'ImageNotFoundException') return 'absent';
      if (name === 'RepositoryNotFoundException') return 'no-repository';
      throw new InferenceImageError('DescribeImages', `ECR DescribeImages of ${repository}:${tag} failed: ${describeFailure(error)}`, { cause: error });
    }
  }

  async projectExists(project: string): Promise<boolean> {
    const answer = await this.call('BatchGetProjects', `project ${project}`, () => this.codeBuild.send(new BatchGetProjectsCommand({ names: [project] })));
    return (answer.projects ?? []).some((p) => p.name === project);
  }

  /** StartBuild with the version's code bundle as the source and the version as the image tag. */
  async startBuild(target: InferenceImageTarget): Promise<ImageBuild> {
    const answer = await this.call('StartBuild', `project ${target.project}`, () =>
      this.codeBuild.send(
        new StartBuildCommand({
          projectName: target.project,
          sourceTypeOverride: 'S3',
          sourceLocationOverride: `${target.sourceBucket}/${PREFIXES.code}${target.version}/`,
          environmentVariablesOverride: [{ name: IMAGE_TAG_VARIABLE, value: target.version, type: 'PLAINTEXT' }],
        }),
      ),
    );
    return imageBuildOf(answer.build, 'StartBuild');
  }

  async getBuild(id: string): Promise<ImageBuild> {
    const answer = await this.call('BatchGetBuilds', `build ${id}`, () => this.codeBuild.send(new BatchGetBuildsCommand({ ids: [id] })));
    const build = (answer.builds ?? []).find((b) => b.id === id);
    if (build === undefined) throw new InferenceImageError('BatchGetBuilds', `CodeBuild has no build ${id}`, { audience: 'user' });
    return imageBuildOf(build, 'BatchGetBuilds');
  }

  /** Polls the build until it ends; `onChange` sees each new status or phase. Aborting resolves with the last state seen. */
  async waitForBuild(id: string, options: { intervalMs: number; onChange?: (build: ImageBuild) => void; signal?: AbortSignal }): Promise<ImageBuild> {
    let previous: string | undefined;
    for (;;) {
      const build = await this.getBuild(id);
      const seen = `${build.status} ${build.phase ?? ''}`;
      if (seen !== previous) options.onChange?.(build);
      previous = seen;
      if (build.status !== 'IN_PROGRESS' || options.signal?.aborted) return build;
      // An abort ends the pause early; the loop then returns the state just read.
      await sleep(options.intervalMs, undefined, options.signal ? { signal: options.signal } : {}).catch(() => undefined);
    }
  }

  private async call<T>(operation: string, subject: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw new InferenceImageError(operation, `CodeBuild ${operation} for ${subject} failed: ${describeFailure(error)}`, { cause: error });
    }
  }
}

/** A build from CodeBuild's answer, validated; the failure is the first phase that ended other than SUCCEEDED. */
function imageBuildOf(answer: unknown, operation: string): ImageBuild {
  const parsed = buildSchema.safeParse(answer);
  if (!parsed.success) {
    throw new InferenceImageError(operation, `CodeBuild ${operation} answered a build this code cannot read: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(build)'}: ${i.message}`).join('; ')}`);
  }
  const build = parsed.data;
  const failed = build.buildStatus === 'IN_PROGRESS' || build.buildStatus === 'SUCCEEDED' ? undefined : (build.phases ?? []).find((p) => p.phaseStatus !== undefined && p.phaseStatus !== 'SUCCEEDED');
  const reason = failed?.contexts?.map((c) => [c.statusCode, c.message].filter(Boolean).join(': ')).filter(Boolean).join('; ');
  return {
    id: build.id,
    status: build.buildStatus,
    phase: build.currentPhase,
    ...(build.buildStatus === 'IN_PROGRESS' || build.buildStatus === 'SUCCEEDED'
      ? {}
      : { failure: { phase: failed?.phaseType ?? build.currentPhase ?? 'unknown', status: failed?.phaseStatus ?? build.buildStatus, reason: reason || 'CodeBuild gave no reason' } }),
    ...(build.logs?.deepLink ? { logsUrl: build.logs.deepLink } : {}),
  };
}
