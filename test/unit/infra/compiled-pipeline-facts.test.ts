import { describe, expect, it } from 'vitest';
import { PIPELINE_DEFINITION_VERSION, sagemakerExecutionRoleArn } from '../../../src/core/pipeline/index.ts';
import { assertJobsRunAs, inspectPipelineDefinition, PipelineMismatchError } from '../../../src/infra/compiled-pipeline-facts.ts';
import { compilePipelineDefinition } from '../../../src/infra/pipeline-source.ts';
import { buildTestApp, CODE_BUNDLE, testConfig } from './helpers.ts';

const compiled = () => compilePipelineDefinition(testConfig().config, CODE_BUNDLE.version);

const ROLE = 'arn:aws:iam::123456789012:role/yolops-sagemaker-execution-role';

function definition(steps: unknown[], extra: Record<string, unknown> = {}): { json: string } {
  return { json: JSON.stringify({ Version: PIPELINE_DEFINITION_VERSION, Parameters: [], Steps: steps, ...extra }) };
}

describe('inspectPipelineDefinition', () => {
  it('finds the ECR repositories of every step image of the compiled pipeline, once each, and the job roles', () => {
    const facts = inspectPipelineDefinition(compiled());
    expect(facts.imageRepositories.map((r) => [r.account, r.region, r.repositoryName])).toEqual([['763104351884', 'ap-southeast-2', 'pytorch-training']]);
    expect(facts.jobRoleArns).toEqual([ROLE]);
  });

  it('finds a custom image (training-config custom_image_uri) so that the role can pull from that repository only', () => {
    const facts = inspectPipelineDefinition(
      definition([
        { Name: 'Train', Type: 'Training', Arguments: { RoleArn: ROLE, AlgorithmSpecification: { TrainingImage: '123456789012.dkr.ecr.ap-southeast-2.amazonaws.com/yolops-training:1.0' } } },
        { Name: 'Evaluate', Type: 'Processing', Arguments: { RoleArn: ROLE, AppSpecification: { ImageUri: `123456789012.dkr.ecr.ap-southeast-2.amazonaws.com/yolops-training@sha256:${'a'.repeat(64)}` } } },
      ]),
    );
    expect(facts.imageRepositories).toHaveLength(1);
    expect(facts.imageRepositories[0]).toMatchObject({ account: '123456789012', repositoryName: 'yolops-training' });
  });

  it('reports every problem at once: wrong version, non-ECR image, image or role that is not a literal', () => {
    const bad = definition(
      [
        { Name: 'Train', Type: 'Training', Arguments: { RoleArn: { Get: 'Parameters.Role' }, AlgorithmSpecification: { TrainingImage: 'docker.io/ultralytics/ultralytics:latest' } } },
        { Name: 'Evaluate', Type: 'Processing', Arguments: { RoleArn: ROLE, AppSpecification: { ImageUri: { Get: 'Parameters.Image' } } } },
      ],
      { Version: '2019-01-01' },
    );
    let error: unknown;
    try {
      inspectPipelineDefinition(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PipelineMismatchError);
    const problems = (error as PipelineMismatchError).problems;
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/Version must be "2020-12-01"/);
    expect(problems.join('\n')).toMatch(/TrainingImage is "docker\.io\/ultralytics\/ultralytics:latest", which is not an Amazon ECR image URI/);
    expect(problems.join('\n')).toMatch(/ImageUri must be a literal image URI/);
    expect(problems.join('\n')).toMatch(/RoleArn must be a literal role ARN/);
  });

  it('rejects text that is not JSON, and CDK tokens', () => {
    expect(() => inspectPipelineDefinition({ json: '{not json' })).toThrow(/it is not JSON/);
    expect(() => inspectPipelineDefinition({ json: '${Token[TOKEN.123]}' })).toThrow(/CDK tokens/);
  });
});

describe('assertJobsRunAs', () => {
  it('accepts a definition whose jobs run as the role this app creates, in the region\'s partition', () => {
    const context = { aws_account_id: '123456789012', project_name: 'yolops' };
    expect(sagemakerExecutionRoleArn({ ...context, aws_region: 'ap-southeast-2' })).toBe(ROLE);
    expect(sagemakerExecutionRoleArn({ ...context, aws_region: 'cn-north-1' })).toBe('arn:aws-cn:iam::123456789012:role/yolops-sagemaker-execution-role');
    expect(() => assertJobsRunAs(inspectPipelineDefinition(compiled()), ROLE)).not.toThrow();
  });

  it('fails synth when the compiler was given another project or account', () => {
    expect(() => buildTestApp({ context: { project_name: 'other' }, pipelineDefinition: compiled() })).toThrow(/steps run as arn:aws:iam::123456789012:role\/yolops-sagemaker-execution-role, but this app creates arn:aws:iam::123456789012:role\/other-sagemaker-execution-role/);
  });
});
