import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll } from 'vitest';
import { parseCdkContext } from '../../../src/core/config/cdk-context.ts';
import { parseTrainingConfig } from '../../../src/core/config/training-config.ts';
import { loadMetricDefinitions } from '../../../src/core/pipeline/index.ts';
import { stageCodeBundle, type StagedCodeBundle } from '../../../src/infra/code-bundle.ts';
import type { InfraConfig } from '../../../src/infra/config.ts';
import type { PipelineDefinitionSource } from '../../../src/infra/compiled-pipeline-facts.ts';
import { compilePipelineDefinition } from '../../../src/infra/pipeline-source.ts';
import { addYolopsStacks, type YolopsStacks } from '../../../src/infra/yolops-app.ts';

export const REPO_ROOT = join(import.meta.dirname, '../../..');

let tempRoot: string | undefined;

/** A fresh temporary folder, removed with all the others after the test file that asked for it. */
export function tempDir(prefix: string): string {
  tempRoot ??= mkdtempSync(join(tmpdir(), 'yolops-infra-tests-'));
  return mkdtempSync(join(tempRoot, prefix));
}

// Registered while the importing test file is collected, so it runs after that file's tests.
afterAll(() => {
  if (tempRoot !== undefined) rmSync(tempRoot, { recursive: true, force: true });
  tempRoot = undefined;
});

/** cdk.json's context as the CDK CLI would pass it (yolops keys and feature flags). */
export function cdkJsonContext(): Record<string, unknown> {
  return (JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
}

/** training/ packed as app.ts packs it for `cdk deploy`; once per test file, like the CDK app once per synth. */
export const CODE_BUNDLE: StagedCodeBundle = await stageCodeBundle(join(REPO_ROOT, 'training'), tempDir('code-bundle-'));

export function repoTrainingConfig(): unknown {
  return JSON.parse(readFileSync(join(REPO_ROOT, 'training-config.json'), 'utf8'));
}

export interface TestAppOptions {
  /** Overrides of cdk.json's context. */
  readonly context?: Record<string, unknown>;
  /** Overrides of training-config.json. */
  readonly training?: Record<string, unknown>;
  /** @default - the compiler's definition for this config and CODE_BUNDLE, as app.ts deploys it */
  readonly pipelineDefinition?: PipelineDefinitionSource;
}

export function testConfig(options: TestAppOptions = {}): { config: InfraConfig; flags: Record<string, unknown> } {
  const all = { ...cdkJsonContext(), ...options.context };
  const flags = Object.fromEntries(Object.entries(all).filter(([k]) => k.includes(':')));
  const own = Object.fromEntries(Object.entries(all).filter(([k]) => !k.includes(':')));
  const training = parseTrainingConfig({ ...(repoTrainingConfig() as object), ...options.training });
  const metricDefinitions = loadMetricDefinitions(join(REPO_ROOT, 'training/metric_definitions.json'));
  return { config: { context: parseCdkContext(own), training, metricDefinitions }, flags };
}

export interface TestApp {
  readonly app: App;
  readonly stacks: YolopsStacks;
  readonly config: InfraConfig;
  readonly outdir: string;
}

/** Builds the app as app.ts does, with cdk.json's feature flags, into a temp cloud assembly folder. */
export function buildTestApp(options: TestAppOptions = {}): TestApp {
  const { config, flags } = testConfig(options);
  const outdir = tempDir('cdk-');
  const app = new App({ outdir, context: flags });
  const pipelineDefinition = options.pipelineDefinition ?? compilePipelineDefinition(config, CODE_BUNDLE.version);
  const stacks = addYolopsStacks(app, { config, pipelineDefinition, codeBundle: CODE_BUNDLE });
  return { app, stacks, config, outdir };
}

export interface SynthesizedApp extends TestApp {
  readonly shared: Template;
  readonly pipeline: Template;
  readonly trigger: Template;
  readonly serving: Template;
  /** Only when the context has `model_build`. */
  readonly modelBuild?: Template;
}

/** Builds and synthesizes the app; cdk-nag runs during synth and throws on any unacknowledged finding. */
export function synthTestApp(options: TestAppOptions = {}): SynthesizedApp {
  const built = buildTestApp(options);
  built.app.synth();
  return {
    ...built,
    shared: Template.fromStack(built.stacks.shared),
    pipeline: Template.fromStack(built.stacks.pipeline),
    trigger: Template.fromStack(built.stacks.trigger),
    serving: Template.fromStack(built.stacks.serving),
    ...(built.stacks.modelBuild === undefined ? {} : { modelBuild: Template.fromStack(built.stacks.modelBuild) }),
  };
}

/** The type of every resource of a template, counted. */
export function resourceCounts(template: Template): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const resource of Object.values(template.toJSON().Resources as Record<string, { Type: string }>)) {
    counts[resource.Type] = (counts[resource.Type] ?? 0) + 1;
  }
  return counts;
}

interface PolicyStatementJson {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, unknown>;
}

/** Every statement of the identity policies attached to the role with logical id `roleLogicalId`. */
export function statementsOfRole(template: Template, roleLogicalId: string): PolicyStatementJson[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((p) => (p.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleLogicalId }) || r === roleLogicalId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as PolicyStatementJson[]);
}

export function logicalIdOf(template: Template, type: string, props: Record<string, unknown>): string {
  const found = Object.keys(template.findResources(type, { Properties: props }));
  if (found.length !== 1) throw new Error(`expected one ${type} with ${JSON.stringify(props)}, found ${found.length}`);
  return found[0] as string;
}

export function actionsOf(statement: PolicyStatementJson): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

/** cdk.json `model_build` values of both source kinds. */
export const MODEL_BUILD_CODECOMMIT = { source: 'codecommit' } as const;
export const MODEL_BUILD_CONNECTION = {
  source: 'codeconnections',
  connection_arn: 'arn:aws:codeconnections:ap-southeast-2:123456789012:connection/0a1b2c3d-4e5f-6789-abcd-ef0123456789',
  repository: 'acme/yolops',
  branch: 'release',
} as const;

/** Synthesis bundles the trigger and runs cdk-nag: seconds alone, much longer on a busy 2-core CI runner. */
export const SYNTH_TIMEOUT = 180_000;

/** Stands in tests for the MLflow App's ARN, which the pipeline stack reads from SSM when it deploys. */
export const DEPLOYED_MLFLOW_APP_ARN = 'arn:aws:sagemaker:ap-southeast-2:123456789012:mlflow-app/app-0123456789ab';

/**
 * The pipeline definition of `template` as CloudFormation deploys it: a plain string, or a Fn::Join whose
 * references are SSM parameters (`Ref` of an `AWS::SSM::Parameter::Value<String>` parameter), each resolved to
 * the value `ssmValues` gives for its parameter name.
 */
export function deployedDefinitionBody(template: Template, ssmValues: Record<string, string> = { '/yolops/mlflow/tracking-uri': DEPLOYED_MLFLOW_APP_ARN }): string {
  const pipelines = Object.values(template.findResources('AWS::SageMaker::Pipeline'));
  if (pipelines.length !== 1) throw new Error(`expected one AWS::SageMaker::Pipeline, found ${pipelines.length}`);
  const body: unknown = pipelines[0]?.Properties.PipelineDefinition.PipelineDefinitionBody;
  if (typeof body === 'string') return body;
  const parameters = (template.toJSON().Parameters ?? {}) as Record<string, { Type: string; Default?: string }>;
  const join = (body as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join === undefined || join[0] !== '') throw new Error(`unexpected PipelineDefinitionBody ${JSON.stringify(body).slice(0, 200)}`);
  return join[1]
    .map((part) => {
      if (typeof part === 'string') return part;
      const ref = (part as { Ref?: string }).Ref;
      const parameter = ref === undefined ? undefined : parameters[ref];
      const value = parameter?.Type === 'AWS::SSM::Parameter::Value<String>' && parameter.Default !== undefined ? ssmValues[parameter.Default] : undefined;
      if (value === undefined) throw new Error(`PipelineDefinitionBody refers to ${JSON.stringify(part)}, which is not a known SSM parameter`);
      return value;
    })
    .join('');
}
