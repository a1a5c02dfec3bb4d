import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { synthesizeTrainingPipeline } from '../../../src/core/pipeline/index.ts';
import { REPO_ROOT, resourceCounts, type SynthesizedApp, synthTestApp, SYNTH_TIMEOUT } from './helpers.ts';

interface Step {
  Name: string;
  Type: string;
  Arguments: Record<string, unknown> & {
    AlgorithmSpecification?: { TrainingImage: string; MetricDefinitions: unknown };
    AppSpecification?: { ImageUri: string };
  };
}

const PIPELINE_ARN = 'arn:aws:sagemaker:ap-southeast-2:123456789012:pipeline/yolops-yolo-training-pipeline';
const TOPIC_ARN = 'arn:aws:sns:ap-southeast-2:123456789012:yolops-notifications';

describe('SageMakerPipelineStack', () => {
  let app: SynthesizedApp;
  beforeAll(() => {
    app = synthTestApp();
  }, SYNTH_TIMEOUT);

  it('has exactly the resources it should (no GitHub access without github_repository)', () => {
    expect(resourceCounts(app.pipeline)).toEqual({
      'AWS::SageMaker::Pipeline': 1,
      'AWS::SageMaker::ModelPackageGroup': 1,
      'AWS::IAM::Role': 1,
      'AWS::IAM::Policy': 1,
      'AWS::Events::Rule': 2,
    });
  });

  const body = (): string => {
    const pipelines = Object.values(app.pipeline.findResources('AWS::SageMaker::Pipeline'));
    expect(pipelines).toHaveLength(1);
    return pipelines[0]?.Properties.PipelineDefinition.PipelineDefinitionBody as string;
  };
  /** Every step, those in Condition branches included. */
  const steps = (): Step[] => {
    const flat = (list: Step[]): Step[] => list.flatMap((s) => [s, ...flat([...((s.Arguments.IfSteps as Step[] | undefined) ?? []), ...((s.Arguments.ElseSteps as Step[] | undefined) ?? [])])]);
    return flat((JSON.parse(body()) as { Steps: Step[] }).Steps);
  };

  it('deploys the compiler\'s JSON byte for byte: a plain string, no tokens, no second copy', () => {
    const { context, training, metricDefinitions } = app.config;
    const compiled = synthesizeTrainingPipeline({ context, training, metricDefinitions });
    expect(typeof body()).toBe('string');
    expect(body()).toBe(compiled.json);
    expect(body()).not.toMatch(/\$\{Token\[|Fn::|"Ref"/);
    const pipeline = Object.values(app.pipeline.findResources('AWS::SageMaker::Pipeline'))[0];
    expect(pipeline?.Properties.PipelineDefinition.PipelineDefinitionS3Location).toBeUndefined();
  });

  it('trains in AWS\'s PyTorch container in script mode, on managed spot or on demand as UseSpotInstances says, with checkpoints', () => {
    const train = steps().find((s) => s.Name === 'Train');
    expect(train?.Type).toBe('Training');
    expect(train?.Arguments).toMatchObject({
      AlgorithmSpecification: { TrainingImage: '763104351884.dkr.ecr.ap-southeast-2.amazonaws.com/pytorch-training:2.6.0-gpu-py312-cu126-ubuntu22.04-sagemaker' },
      RoleArn: 'arn:aws:iam::123456789012:role/yolops-sagemaker-execution-role',
      EnableManagedSpotTraining: { Get: 'Parameters.UseSpotInstances' },
      StoppingCondition: { MaxRuntimeInSeconds: 86400, MaxWaitTimeInSeconds: 172800 },
      CheckpointConfig: { S3Uri: expect.anything() },
      HyperParameters: expect.objectContaining({ sagemaker_program: '"train.py"' }),
    });
    expect(JSON.stringify(train?.Arguments.CheckpointConfig)).toContain('s3://yolops-model-artifacts-123456789012/checkpoints/');
    expect(JSON.stringify(train?.Arguments.HyperParameters)).toContain('sourcedir.tar.gz');
    const onDemand = steps().find((s) => s.Name === 'TrainOnDemand');
    expect(onDemand?.Arguments).toMatchObject({ RoleArn: train?.Arguments.RoleArn, StoppingCondition: { MaxRuntimeInSeconds: 86400 } });
    expect(onDemand?.Arguments.StoppingCondition).not.toHaveProperty('MaxWaitTimeInSeconds');
    const parameters = (JSON.parse(body()) as { Parameters: { Name: string; DefaultValue?: unknown }[] }).Parameters;
    expect(parameters.find((p) => p.Name === 'UseSpotInstances')).toEqual({ Name: 'UseSpotInstances', Type: 'Boolean', DefaultValue: app.config.training.use_spot_instances });
  });

  it('asks SageMaker for no experiment or trial, which the pipeline role could not create', () => {
    expect(JSON.parse(body())).not.toHaveProperty('PipelineExperimentConfig');
    const actions = JSON.stringify(app.pipeline.findResources('AWS::IAM::Policy'));
    for (const action of ['sagemaker:CreateExperiment', 'sagemaker:CreateTrial', 'sagemaker:AssociateTrialComponent']) expect(actions).not.toContain(action);
  });

  it('uses the MetricDefinitions of training/metric_definitions.json and the instance types of training-config.json', () => {
    const train = steps().find((s) => s.Name === 'Train');
    expect(train?.Arguments.AlgorithmSpecification?.MetricDefinitions).toEqual(JSON.parse(readFileSync(join(REPO_ROOT, 'training/metric_definitions.json'), 'utf8')));
    const parameters = (JSON.parse(body()) as { Parameters: { Name: string; DefaultValue?: unknown }[] }).Parameters;
    expect(parameters.find((p) => p.Name === 'TrainingInstanceType')?.DefaultValue).toBe(app.config.training.instance_type);
    expect(parameters.find((p) => p.Name === 'EvaluationInstanceType')?.DefaultValue).toBe(app.config.training.evaluation_instance_type);
    expect(parameters.find((p) => p.Name === 'MlflowTrackingUri')?.DefaultValue).toBe('arn:aws:sagemaker:ap-southeast-2:123456789012:mlflow-tracking-server/yolops-mlflow');
  });

  it('registers into the model package group this stack creates', () => {
    const registers = steps().filter((s) => s.Type === 'RegisterModel');
    expect(registers.map((s) => s.Name)).toEqual(['Register', 'RegisterOnDemand']);
    for (const register of registers) expect(JSON.stringify(register)).toContain('"ModelPackageGroupName":"yolops-yolo-models"');
  });

  it('names the pipeline, gives it its role, and creates it after the group and the role policy', () => {
    app.pipeline.hasResource('AWS::SageMaker::Pipeline', {
      Properties: {
        PipelineName: 'yolops-yolo-training-pipeline',
        RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PipelineRole'), 'Arn'] },
      },
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('^ModelRegistryGroup'), Match.stringLikeRegexp('^PipelineRoleDefaultPolicy')]),
    });
  });

  it('creates the model package group of the seed, kept out of the way of dev teardown', () => {
    app.pipeline.hasResource('AWS::SageMaker::ModelPackageGroup', {
      Properties: { ModelPackageGroupName: 'yolops-yolo-models' },
      DeletionPolicy: 'Delete',
    });
  });

  it('notifies execution status changes with a readable message built by an input transformer', () => {
    app.pipeline.hasResourceProperties('AWS::Events::Rule', {
      Name: 'yolops-pipeline-status',
      EventPattern: {
        source: ['aws.sagemaker'],
        'detail-type': ['SageMaker Model Building Pipeline Execution Status Change'],
        detail: { pipelineArn: [PIPELINE_ARN], currentPipelineExecutionStatus: ['Succeeded', 'Failed', 'Stopped'] },
      },
      Targets: [
        {
          Arn: TOPIC_ARN,
          Id: Match.anyValue(),
          InputTransformer: {
            InputPathsMap: Match.objectLike({
              'detail-pipelineExecutionArn': '$.detail.pipelineExecutionArn',
              'detail-currentPipelineExecutionStatus': '$.detail.currentPipelineExecutionStatus',
            }),
            InputTemplate: Match.stringLikeRegexp('Execution: <detail-pipelineExecutionArn>[\\s\\S]*Status: <detail-currentPipelineExecutionStatus>[\\s\\S]*Reason: [\\s\\S]*Console: https://ap-southeast-2\\.console\\.aws\\.amazon\\.com/sagemaker/'),
          },
        },
      ],
    });
  });

  it('notifies failed steps with their failure reason (the execution event carries none)', () => {
    app.pipeline.hasResourceProperties('AWS::Events::Rule', {
      Name: 'yolops-pipeline-step-failed',
      EventPattern: {
        'detail-type': ['SageMaker Model Building Pipeline Execution Step Status Change'],
        detail: { pipelineArn: [PIPELINE_ARN], currentStepStatus: ['Failed'] },
      },
      Targets: [
        Match.objectLike({
          Arn: TOPIC_ARN,
          InputTransformer: {
            InputPathsMap: Match.objectLike({ 'detail-failureReason': '$.detail.failureReason', 'detail-stepName': '$.detail.stepName' }),
            InputTemplate: Match.stringLikeRegexp('Reason: <detail-failureReason>'),
          },
        }),
      ],
    });
  });

  it('outputs the pipeline name and ARN, its role and the model package group', () => {
    expect(Object.keys(app.pipeline.findOutputs('*')).sort()).toEqual(['ModelPackageGroupName', 'PipelineArn', 'PipelineName', 'PipelineRoleArn']);
    app.pipeline.hasOutput('PipelineName', { Value: 'yolops-yolo-training-pipeline' });
    app.pipeline.hasOutput('PipelineArn', { Value: PIPELINE_ARN });
  });
});
