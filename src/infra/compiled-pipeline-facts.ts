import { Token } from 'aws-cdk-lib';
import { PIPELINE_DEFINITION_VERSION } from '../core/pipeline/compiled.ts';
import { InfraError } from './errors.ts';

/**
 * The compiled SageMaker Pipeline definition, as the compiler of the local backend emits it
 * (`src/core/pipeline`). The stack deploys this very string: one definition, no second copy.
 */
export interface PipelineDefinitionSource {
  /** The definition JSON (Version PIPELINE_DEFINITION_VERSION), a plain string without CDK tokens. */
  readonly json: string;
}

/** An Amazon ECR repository an image of the pipeline is pulled from. */
export interface EcrRepositoryReference {
  readonly account: string;
  readonly region: string;
  readonly repositoryName: string;
  /** The image URI it was found in. */
  readonly imageUri: string;
}

/** What the infrastructure must agree with in a compiled definition. */
export interface PipelineDefinitionFacts {
  /** Every image the steps run (TrainingImage, ImageUri), deduplicated by repository. */
  readonly imageRepositories: readonly EcrRepositoryReference[];
  /** Every RoleArn the steps run their jobs as. */
  readonly jobRoleArns: readonly string[];
  /** The names of the pipeline parameters an execution may pass. */
  readonly parameterNames: readonly string[];
}

/** The compiled definition asks for images or roles the stacks do not provide: the config does not hold together. */
export class PipelineMismatchError extends InfraError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`the compiled pipeline definition does not fit the stacks:\n${problems.map((p) => `  - ${p}`).join('\n')}`, { audience: 'user' });
    this.problems = problems;
  }
}

const ECR_IMAGE = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([a-z0-9._/-]+)(?::[\w.-]+|@sha256:[0-9a-f]{64})$/;
const IMAGE_KEYS = new Set(['TrainingImage', 'ImageUri']);

function collect(node: unknown, path: string, visit: (key: string, value: unknown, path: string) => void): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => collect(item, `${path}[${i}]`, visit));
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    visit(key, value, `${path}.${key}`);
    collect(value, `${path}.${key}`, visit);
  }
}

/** Parses the definition and extracts what the roles must allow, or throws PipelineMismatchError naming every problem. */
export function inspectPipelineDefinition(source: PipelineDefinitionSource): PipelineDefinitionFacts {
  const problems: string[] = [];
  if (Token.isUnresolved(source.json)) {
    throw new PipelineMismatchError(['it contains CDK tokens; the compiler must emit plain JSON with every name resolved']);
  }
  let definition: unknown;
  try {
    definition = JSON.parse(source.json);
  } catch (error) {
    throw new PipelineMismatchError([`it is not JSON: ${(error as Error).message}`]);
  }
  const version = (definition as { Version?: unknown } | null)?.Version;
  if (version !== PIPELINE_DEFINITION_VERSION) problems.push(`Version must be "${PIPELINE_DEFINITION_VERSION}" (got ${JSON.stringify(version)})`);

  const repositories = new Map<string, EcrRepositoryReference>();
  const roleArns = new Set<string>();
  collect(definition, '$', (key, value, path) => {
    if (IMAGE_KEYS.has(key)) {
      if (typeof value !== 'string') {
        problems.push(`${path} must be a literal image URI so that the job role can be granted pull on its repository (got ${JSON.stringify(value)})`);
        return;
      }
      const match = ECR_IMAGE.exec(value);
      if (!match) {
        problems.push(`${path} is "${value}", which is not an Amazon ECR image URI; SageMaker jobs pull their images from ECR`);
        return;
      }
      const [, account = '', region = '', repositoryName = ''] = match;
      const id = `${account}/${region}/${repositoryName}`;
      if (!repositories.has(id)) repositories.set(id, { account, region, repositoryName, imageUri: value });
    }
    if (key === 'RoleArn') {
      if (typeof value === 'string') roleArns.add(value);
      else problems.push(`${path} must be a literal role ARN (got ${JSON.stringify(value)})`);
    }
  });
  if (problems.length > 0) throw new PipelineMismatchError(problems);
  const parameters = (definition as { Parameters?: unknown }).Parameters;
  const parameterNames = Array.isArray(parameters) ? parameters.map((p: { Name?: unknown }) => p?.Name).filter((n): n is string => typeof n === 'string') : [];
  return { imageRepositories: [...repositories.values()], jobRoleArns: [...roleArns], parameterNames };
}


/** Throws PipelineMismatchError when a step would run as a role other than the one this app creates. */
export function assertJobsRunAs(facts: PipelineDefinitionFacts, expectedRoleArn: string): void {
  const others = facts.jobRoleArns.filter((arn) => arn !== expectedRoleArn);
  if (others.length > 0 || facts.jobRoleArns.length === 0) {
    throw new PipelineMismatchError([
      facts.jobRoleArns.length === 0
        ? `no step has a RoleArn; the jobs must run as ${expectedRoleArn}`
        : `steps run as ${others.join(', ')}, but this app creates ${expectedRoleArn} for the jobs (same project_name and aws_account_id in the compiler and in cdk.json?)`,
    ]);
  }
}
