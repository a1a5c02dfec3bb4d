import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { ConfigError, parseConfig } from './errors.ts';
import { AWS_REGIONS } from './regions.ts';

/**
 * Longest project name for which every derived resource name stays within AWS limits: the longest is the
 * bucket `{project}-mlflow-artifacts-{12-digit account}`, and S3 bucket names stop at 63 characters.
 */
export const MAX_PROJECT_NAME_LENGTH = 63 - '-mlflow-artifacts-'.length - 12;

export const ENVIRONMENTS = ['dev', 'test', 'staging', 'prod'] as const;

/**
 * The kinds of SageMaker managed MLflow the stacks can create. `app` (an MLflow App) is serverless: no hourly
 * charge while nobody trains. `tracking-server` is billed per hour for as long as it exists (docs/aws-deploy.md,
 * "Costs").
 */
export const MLFLOW_KINDS = ['app', 'tracking-server'] as const;
export type MlflowKind = (typeof MLFLOW_KINDS)[number];
/** The least costly kind for a team that trains now and then. */
export const DEFAULT_MLFLOW_KIND: MlflowKind = 'app';

const GITHUB_REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/** A git branch name as CodePipeline's source actions take it (no spaces, no `..`, no leading `-`). */
const branchSchema = z
  .string({ error: 'must be a branch name as a string, e.g. "main"' })
  .regex(/^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]+$/, 'must be a git branch name such as "main": letters, digits, ".", "_", "/" and "-"')
  .default('main');

/**
 * The optional model-build CI (ModelBuildStack): a CodePipeline that runs buildspec.yml (upload the code, update
 * the SageMaker pipeline, start a training) on every commit of one branch, from a CodeCommit repository the stack
 * creates or from GitHub/Bitbucket/GitLab through an AWS CodeConnections connection.
 */
export const modelBuildSchema = z.discriminatedUnion(
  'source',
  [
    z
      .object({
        source: z.literal('codecommit'),
        /** The branch whose commits start a build. */
        branch: branchSchema,
      })
      .strict(),
    z
      .object({
        source: z.literal('codeconnections'),
        connection_arn: z
          .string({ error: 'must be the ARN of an AWS CodeConnections connection, e.g. "arn:aws:codeconnections:us-east-1:123456789012:connection/abcd1234-..." (Developer Tools console > Settings > Connections)' })
          .regex(
            /^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[A-Za-z0-9-]+$/,
            'must be the ARN of an AWS CodeConnections connection, e.g. "arn:aws:codeconnections:us-east-1:123456789012:connection/abcd1234-..." (Developer Tools console > Settings > Connections)',
          ),
        repository: z
          .string({ error: 'must be "owner/repo", the repository the connection gives access to, e.g. "acme/yolops"' })
          .regex(GITHUB_REPOSITORY, 'must be "owner/repo", e.g. "acme/yolops"'),
        branch: branchSchema,
      })
      .strict(),
  ],
  {
    error: 'must be {"source": "codecommit"} (the stack creates a CodeCommit repository) or {"source": "codeconnections", "connection_arn": "arn:aws:codeconnections:...", "repository": "owner/repo", "branch": "main"}',
  },
);

export type ModelBuildConfig = z.output<typeof modelBuildSchema>;

/** A SageMaker work team: `arn:<partition>:sagemaker:<region>:<account>:workteam/<private-crowd|vendor-crowd|public-crowd>/<name>`. */
export const WORKTEAM_ARN = /^arn:(aws[a-z-]*):sagemaker:([a-z0-9-]+):(\d{12}):workteam\/[a-z-]+-crowd\/[A-Za-z0-9](?:-*[A-Za-z0-9])*$/;

const WORKTEAM_ARN_HINT = 'the ARN of a SageMaker work team, e.g. "arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/labelers" (SageMaker console > Ground Truth > Labeling workforces > Private)';

/**
 * Ground Truth labeling (`yolops label start`): the work team that labels by default. A job runs in the stacks'
 * region and account, so a work team of another region or account is refused here rather than by CreateLabelingJob.
 */
export const labelingSchema = z
  .object({
    workteam_arn: z.string({ error: `must be ${WORKTEAM_ARN_HINT}` }).regex(WORKTEAM_ARN, `must be ${WORKTEAM_ARN_HINT}`),
  })
  .strict();

export type LabelingConfig = z.output<typeof labelingSchema>;

export const cdkContextSchema = z
  .object({
    aws_account_id: z
      .string({ error: 'must be your 12-digit AWS account id as a string, e.g. "123456789012"' })
      .regex(/^\d{12}$/, 'must be exactly 12 digits, e.g. "123456789012" (aws sts get-caller-identity prints yours)'),
    aws_region: z.enum(AWS_REGIONS, {
      error: `must be an AWS region code such as "us-east-1" or "ap-southeast-2" (known: ${AWS_REGIONS.join(', ')})`,
    }),
    project_name: z
      .string({ error: 'must be a string: the prefix of every resource name, e.g. "yolops"' })
      .min(3, 'must be at least 3 characters')
      .max(MAX_PROJECT_NAME_LENGTH, `must be at most ${MAX_PROJECT_NAME_LENGTH} characters (S3 bucket names stop at 63)`)
      .regex(
        /^[a-z][a-z0-9-]*[a-z0-9]$/,
        'must be lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen (it becomes part of S3 bucket names)',
      )
      .refine((s) => !s.includes('--'), 'must not contain two hyphens in a row'),
    environment: z.enum(ENVIRONMENTS, {
      error: `must be one of ${ENVIRONMENTS.join(', ')} ("prod" keeps buckets and logs when a stack is destroyed)`,
    }),
    /** `owner/repo` allowed to assume the GitHub OIDC deploy role; no OIDC resources when absent. */
    github_repository: z
      .string()
      .regex(GITHUB_REPOSITORY, 'must be "owner/repo", e.g. "acme/yolops"')
      .optional(),
    /** Email address subscribed to the notifications topic; none when absent. */
    notification_email: z.email('must be an email address').optional(),
    /**
     * How long no object of a dataset version may have arrived before the S3 trigger takes an upload without an
     * upload marker as complete; also the delay of the trigger's queue (SQS allows at most 900 s).
     */
    trigger_quiet_period_seconds: z
      .int('must be a whole number of seconds')
      .min(0, 'must be 0 to 900 seconds')
      .max(900, 'must be 0 to 900 seconds (the longest delay an SQS queue allows)')
      .default(120),
    /** Which SageMaker managed MLflow the jobs log to. */
    mlflow: z
      .enum(MLFLOW_KINDS, {
        error: `must be one of ${MLFLOW_KINDS.map((k) => JSON.stringify(k)).join(', ')}: "app" is a serverless MLflow App (no hourly charge), "tracking-server" an MLflow tracking server billed per hour while it exists`,
      })
      .default(DEFAULT_MLFLOW_KIND),
    /** The model-build CI (ModelBuildStack); no such stack when absent. */
    model_build: modelBuildSchema.optional(),
    /** Ground Truth labeling defaults; `yolops label start --workteam` is needed when absent. */
    labeling: labelingSchema.optional(),
  })
  .strict()
  .superRefine((context, issues) => {
    const arn = context.labeling === undefined ? undefined : WORKTEAM_ARN.exec(context.labeling.workteam_arn);
    if (!arn) return;
    const [, , region, account] = arn;
    if (region !== context.aws_region || account !== context.aws_account_id) {
      issues.addIssue({
        code: 'custom',
        path: ['labeling', 'workteam_arn'],
        input: context.labeling?.workteam_arn,
        message: `is a work team of account ${account} in ${region}, but the stacks deploy to account ${context.aws_account_id} in ${context.aws_region}: a labeling job can only use a work team of its own account and region`,
      });
    }
  });

export type CdkContext = z.output<typeof cdkContextSchema>;

/** The keys of cdk.json's context that belong to yolops (the rest are CDK feature flags). */
export const CDK_CONTEXT_KEYS = Object.keys(cdkContextSchema.shape) as (keyof CdkContext)[];

/** Validates the yolops keys of a cdk.json context object; CDK's own keys (`@aws-cdk/...`) are ignored. */
export function parseCdkContext(context: Record<string, unknown>, file = 'cdk.json'): CdkContext {
  const own = Object.fromEntries(Object.entries(context).filter(([key]) => !key.startsWith('@') && !key.startsWith('aws:cdk:') && key !== 'acknowledged-issue-numbers'));
  return parseConfig(cdkContextSchema, own, file, ['context']);
}

/** Reads and validates `cdk.json` (the `context` object). */
export function loadCdkContext(path: string): CdkContext {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(path, [{ key: '', value: undefined, message: `cannot read it as JSON: ${(error as Error).message}` }], { cause: error });
  }
  const context = (raw as { context?: unknown }).context;
  if (context === null || typeof context !== 'object' || Array.isArray(context)) {
    throw new ConfigError(path, [{ key: 'context', value: context, message: 'must be an object holding aws_account_id, aws_region, project_name and environment' }]);
  }
  return parseCdkContext(context as Record<string, unknown>, path);
}
