import { createHash } from 'node:crypto';
import { readSsmParameter } from '../aws/index.ts';
import { objectExists } from '../core/storage/object-store.ts';
import { PREFIXES } from '../core/naming.ts';
import { codeVersionProblem, mlflowAppArnPlaceholder, synthesizeTrainingPipelineFromFiles } from '../core/pipeline/index.ts';
import { formatS3Uri } from '../core/storage/s3-uri.ts';
import { ENTRYPOINT_FILE, SOURCEDIR_FILE } from '../local/code-bundle.ts';
import type { AwsSession } from './aws-session.ts';
import { resolveCodeVersion } from './code-version.ts';
import { CliError } from './errors.ts';
import type { Project } from './project.ts';

export interface UpsertResult {
  pipelineName: string;
  pipelineArn: string;
  /** The role the pipeline runs as, kept as CDK deployed it. */
  roleArn: string;
  codeVersion: string;
  codeUri: string;
  /** The MLflow App ARN put in place of the compiler's placeholder, when cdk.json says `mlflow: "app"`. */
  mlflowAppArn?: string;
  /** sha256 of the definition as sent. */
  definitionSha256: string;
  /** False when the deployed definition was already this one (nothing was sent). */
  updated: boolean;
}

/** `s3://<training bucket>/code/<version>/`: where `yolops code push` puts a bundle and CodeUri points. */
export function codeUriOf(trainingDataBucket: string, version: string): string {
  return formatS3Uri(trainingDataBucket, `${PREFIXES.code}${version}/`);
}

/** Refuses a code version whose bundle is not in the training bucket: an execution would fail in its first job. */
export async function assertCodeBundleUploaded(session: AwsSession, version: string): Promise<string> {
  const bucket = session.names.trainingDataBucket;
  const codeUri = codeUriOf(bucket, version);
  for (const file of [SOURCEDIR_FILE, ENTRYPOINT_FILE]) {
    if (!(await objectExists(session.store, bucket, `${PREFIXES.code}${version}/${file}`))) {
      throw new CliError(`the code bundle ${version} is not in ${codeUri} (no ${file}): upload it first with \`yolops --target aws code push\``);
    }
  }
  return codeUri;
}

/**
 * The definition the pipeline stack deploys, compiled here the way it compiles it: this project's config, the
 * code version as CodeUri/CodeVersion defaults, and with cdk.json's `mlflow: "app"` the App's ARN from SSM in
 * place of the placeholder. Then UpdatePipeline with the role the stack gave the pipeline (never CreatePipeline:
 * the stacks own the pipeline, so the caller needs no right to create one).
 */
export async function upsertAwsPipeline(session: AwsSession, project: Project, requestedVersion?: string): Promise<UpsertResult> {
  const { names, context } = session;
  const codeVersion = requestedVersion ?? (await resolveCodeVersion(project.trainingCodeDir)).version;
  const versionProblem = codeVersionProblem(codeVersion);
  if (versionProblem !== undefined) throw new CliError(`--code-version ${versionProblem}`);
  let { json } = synthesizeTrainingPipelineFromFiles({ root: project.dir, cdkJson: project.cdkJson, trainingConfig: project.trainingConfigJson }, { codeVersion });

  let mlflowAppArn: string | undefined;
  if (context.mlflow === 'app') {
    const placeholder = mlflowAppArnPlaceholder(context);
    mlflowAppArn = await readSsmParameter(session.ssm, names.mlflowTrackingUriParameter);
    if (mlflowAppArn === undefined) {
      throw new CliError(`the SSM parameter ${names.mlflowTrackingUriParameter} (the MLflow App's ARN) does not exist in ${session.region}: deploy the shared stack first (npx cdk deploy ${names.sharedResourcesStack})`);
    }
    // The pipeline stack does the same replacement at deploy time (TrainingPipeline's deployTimeValues).
    json = json.split(placeholder).join(mlflowAppArn);
  }

  const codeUri = await assertCodeBundleUploaded(session, codeVersion);
  const deployed = await session.pipelines.describePipeline(names.pipeline);
  const definitionSha256 = createHash('sha256').update(json).digest('hex');
  const unchanged = sameJson(deployed.definition, json);
  const pipelineArn = unchanged ? deployed.pipelineArn : await session.pipelines.update({ pipelineName: names.pipeline, definition: json, roleArn: deployed.roleArn });
  return {
    pipelineName: names.pipeline,
    pipelineArn,
    roleArn: deployed.roleArn,
    codeVersion,
    codeUri,
    ...(mlflowAppArn !== undefined ? { mlflowAppArn } : {}),
    definitionSha256,
    updated: !unchanged,
  };
}

function sameJson(a: string, b: string): boolean {
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
}
