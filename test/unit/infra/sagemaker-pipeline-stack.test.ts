import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mlflowAppArnPlaceholder, synthesizeTrainingPipeline } from '../../../src/core/pipeline/index.ts';
import { compilePipelineDefinition } from '../../../src/infra/pipeline-source.ts';
import {
  CODE_BUNDLE,
  DEPLOYED_MLFLOW_APP_ARN,
  deployedDefinitionBody,
  REPO_ROOT,
  resourceCounts,
  statementsOfRole,
  type SynthesizedApp,
  synthTestApp,
  SYNTH_TIMEOUT,
  testConfig,
} from './helpers.ts';

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
const TRAINING_BUCKET = 'yolops-training-data-123456789012';

describe('SageMakerPipelineStack', () => {
  let app: SynthesizedApp;
  beforeAll(() => {
    app = synthTestApp();
  }, SYNTH_TIMEOUT);

  it('has exactly the resources it should (no GitHub access without github_repository)', () => {
    expect(resourceCounts(app.pipeline)).toEqual({
      'AWS::SageMaker::Pipeline': 1,
      'AWS::SageMaker::ModelPackageGroup': 1,
      // The pipeline role and the code upload's
      'AWS::IAM::Role': 2,
      'AWS::IAM::Policy': 2,
      'AWS::Events::Rule': 3,
      // The code upload: BucketDeployment's handler, its AWS CLI layer and log group, the custom resource
      'AWS::Lambda::Function': 1,
      'AWS::Lambda::LayerVersion': 1,
      'AWS::Logs::LogGroup': 1,
      'Custom::CDKBucketDeployment': 1,
    });
  });

  const body = (): string => deployedDefinitionBody(app.pipeline);
  const parameters = () => (JSON.parse(body()) as { Parameters: { Name: string; DefaultValue?: unknown }[] }).Parameters;
  /** Every step, those in Condition branches included. */
  const steps = (): Step[] => {
    const flat = (list: Step[]): Step[] => list.flatMap((s) => [s, ...flat([...((s.Arguments.IfSteps as Step[] | undefined) ?? []), ...((s.Arguments.ElseSteps as Step[] | undefined) ?? [])])]);
    return flat((JSON.parse(body()) as { Steps: Step[] }).Steps);
  };

  it('deploys the compiler\'s JSON for the deployed code, with only the MLflow App\'s ARN filled in at deploy time', () => {
    const { context, training, metricDefinitions } = app.config;
    const compiled = synthesizeTrainingPipeline({ context, training, metricDefinitions, codeVersion: CODE_BUNDLE.version });
    expect(body()).toBe(compiled.json.split(mlflowAppArnPlaceholder(context)).join(DEPLOYED_MLFLOW_APP_ARN));
    // Read from the parameter the shared stack writes, by name: no CloudFormation export.
    const ssm = Object.values(app.pipeline.toJSON().Parameters as Record<string, { Type: string; Default: string }>).filter((p) => p.Type === 'AWS::SSM::Parameter::Value<String>');
    expect(ssm.map((p) => p.Default).sort()).toEqual(['/cdk-bootstrap/hnb659fds/version', '/yolops/mlflow/tracking-uri']);
    const pipeline = Object.values(app.pipeline.findResources('AWS::SageMaker::Pipeline'))[0];
    expect(pipeline?.Properties.PipelineDefinition.PipelineDefinitionS3Location).toBeUndefined();
  });

  it('runs the deployed code by default: CodeUri and CodeVersion name the bundle cdk deploy uploads', () => {
    expect(parameters().find((p) => p.Name === 'CodeVersion')?.DefaultValue).toBe(CODE_BUNDLE.version);
    expect(parameters().find((p) => p.Name === 'CodeUri')?.DefaultValue).toBe(`s3://${TRAINING_BUCKET}/code/${CODE_BUNDLE.version}/`);
    expect(parameters().find((p) => p.Name === 'MlflowTrackingUri')?.DefaultValue).toBe(DEPLOYED_MLFLOW_APP_ARN);
  });

  it('uploads training/ to code/<version>/ of the training bucket, keeps older versions, and creates the pipeline after it', () => {
    const [deploymentId] = Object.keys(app.pipeline.findResources('Custom::CDKBucketDeployment'));
    app.pipeline.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketName: TRAINING_BUCKET,
      DestinationBucketKeyPrefix: `code/${CODE_BUNDLE.version}/`,
      Extract: true,
      Prune: false,
      RetainOnDelete: true,
      SourceObjectKeys: [Match.stringLikeRegexp('^[0-9a-f]{64}\\.zip$')],
    });
    app.pipeline.hasResource('AWS::SageMaker::Pipeline', { DependsOn: Match.arrayWith([deploymentId]) });
    app.pipeline.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 256,
      Role: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CodeBundleRole'), 'Arn'] },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^CodeBundleLogs') } },
    });
  });

  it('lets the code upload read its one asset and list and put under code/, nothing else: no delete, no other prefix', () => {
    const [role] = Object.keys(app.pipeline.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('^Uploads the training code bundle') } }));
    const [asset] = (Object.values(app.pipeline.findResources('Custom::CDKBucketDeployment'))[0]?.Properties.SourceObjectKeys ?? []) as string[];
    expect(statementsOfRole(app.pipeline, role as string)).toEqual([
      { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^CodeBundleLogs/), 'Arn'] } },
      { Sid: 'ReadBundleAsset', Action: 's3:GetObject', Effect: 'Allow', Resource: `arn:aws:s3:::cdk-hnb659fds-assets-123456789012-ap-southeast-2/${asset}` },
      { Sid: 'ListCodePrefix', Action: 's3:ListBucket', Effect: 'Allow', Resource: `arn:aws:s3:::${TRAINING_BUCKET}`, Condition: { StringLike: { 's3:prefix': ['code/*'] } } },
      { Sid: 'WriteCode', Action: ['s3:AbortMultipartUpload', 's3:PutObject'], Effect: 'Allow', Resource: `arn:aws:s3:::${TRAINING_BUCKET}/code/*` },
    ]);
    app.pipeline.hasResourceProperties('AWS::IAM::Role', { Description: Match.stringLikeRegexp('^Uploads the training code bundle'), ManagedPolicyArns: Match.absent() });
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
    expect(parameters().find((p) => p.Name === 'TrainingInstanceType')?.DefaultValue).toBe(app.config.training.instance_type);
    expect(parameters().find((p) => p.Name === 'EvaluationInstanceType')?.DefaultValue).toBe(app.config.training.evaluation_instance_type);
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

  it('notifies failed steps with their failure reason (the execution event carries none), but those the no-capacity rule explains', () => {
    app.pipeline.hasResourceProperties('AWS::Events::Rule', {
      Name: 'yolops-pipeline-step-failed',
      EventPattern: {
        'detail-type': ['SageMaker Model Building Pipeline Execution Step Status Change'],
        detail: {
          pipelineArn: [PIPELINE_ARN],
          currentStepStatus: ['Failed'],
          // A reason that names no quota or capacity, or none at all.
          failureReason: [{ 'anything-but': { wildcard: ['*ResourceLimitExceeded*', '*service limit*', '*CapacityError*'] } }, { exists: false }],
        },
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

  it('explains a step that got no instance (quota at 0, no capacity): what it means, on demand, and the quotas to raise', () => {
    const rule = Object.values(app.pipeline.findResources('AWS::Events::Rule', { Properties: { Name: 'yolops-pipeline-no-capacity' } }));
    expect(rule).toHaveLength(1);
    expect(rule[0]?.Properties.EventPattern).toEqual({
      source: ['aws.sagemaker'],
      'detail-type': ['SageMaker Model Building Pipeline Execution Step Status Change'],
      detail: {
        pipelineArn: [PIPELINE_ARN],
        currentStepStatus: ['Failed'],
        failureReason: [{ wildcard: '*ResourceLimitExceeded*' }, { wildcard: '*service limit*' }, { wildcard: '*CapacityError*' }],
      },
    });
    const [target] = rule[0]?.Properties.Targets as { Arn: string; InputTransformer: { InputTemplate: string; InputPathsMap: Record<string, string> } }[];
    expect(target?.Arn).toBe(TOPIC_ARN);
    const message = target?.InputTransformer.InputTemplate ?? '';
    expect(target?.InputTransformer.InputPathsMap).toMatchObject({ 'detail-failureReason': '$.detail.failureReason', 'detail-stepName': '$.detail.stepName' });
    for (const text of [
      'Reason: <detail-failureReason>',
      'ResourceLimitExceeded',
      'CapacityError',
      'Service Quotas',
      "'ml.g5.xlarge for spot training job usage'",
      "'ml.g5.xlarge for training job usage'",
      "'ml.m5.xlarge for processing job usage'",
      'Console: https://ap-southeast-2.console.aws.amazon.com/sagemaker/',
    ]) {
      expect(message).toContain(text);
    }
    // The pipeline has the UseSpotInstances parameter: one execution can train on demand.
    expect(message).toContain('Name=UseSpotInstances,Value=false');
    expect(message).not.toContain('use_spot_instances to false in training-config.json');
  });

  it('outputs the pipeline name and ARN, its role, the model package group and the deployed code', () => {
    expect(Object.keys(app.pipeline.findOutputs('*')).sort()).toEqual(['CodeUri', 'CodeVersion', 'ModelPackageGroupName', 'PipelineArn', 'PipelineName', 'PipelineRoleArn']);
    app.pipeline.hasOutput('PipelineName', { Value: 'yolops-yolo-training-pipeline' });
    app.pipeline.hasOutput('PipelineArn', { Value: PIPELINE_ARN });
    app.pipeline.hasOutput('CodeVersion', { Value: CODE_BUNDLE.version });
    app.pipeline.hasOutput('CodeUri', { Value: `s3://${TRAINING_BUCKET}/code/${CODE_BUNDLE.version}/` });
  });
});

describe('SageMakerPipelineStack with an MLflow tracking server (cdk.json "mlflow": "tracking-server")', () => {
  it('deploys the compiler\'s JSON byte for byte: a plain string, no tokens, no SSM parameter', { timeout: SYNTH_TIMEOUT }, () => {
    const app = synthTestApp({ context: { mlflow: 'tracking-server' } });
    const { context, training, metricDefinitions } = app.config;
    const compiled = synthesizeTrainingPipeline({ context, training, metricDefinitions, codeVersion: CODE_BUNDLE.version });
    const body = Object.values(app.pipeline.findResources('AWS::SageMaker::Pipeline'))[0]?.Properties.PipelineDefinition.PipelineDefinitionBody as unknown;
    expect(body).toBe(compiled.json);
    expect(body).not.toMatch(/\$\{Token\[|Fn::|"Ref"/);
    expect(body).toContain('"DefaultValue":"arn:aws:sagemaker:ap-southeast-2:123456789012:mlflow-tracking-server/yolops-mlflow"');
    expect(Object.keys(app.pipeline.toJSON().Parameters as object)).toEqual(['BootstrapVersion']);
  });
});

describe('SageMakerPipelineStack whose pipeline has the UseSpotInstances parameter', () => {
  it('tells how to run one execution on demand with UseSpotInstances=false', { timeout: SYNTH_TIMEOUT }, () => {
    const { config } = testConfig();
    const compiled = JSON.parse(compilePipelineDefinition(config, CODE_BUNDLE.version).json) as { Parameters: unknown[] };
    compiled.Parameters.push({ Name: 'UseSpotInstances', Type: 'Boolean', DefaultValue: true });
    const app = synthTestApp({ pipelineDefinition: { json: JSON.stringify(compiled) } });
    const rule = Object.values(app.pipeline.findResources('AWS::Events::Rule', { Properties: { Name: 'yolops-pipeline-no-capacity' } }))[0];
    const message = (rule?.Properties.Targets as { InputTransformer: { InputTemplate: string } }[])[0]?.InputTransformer.InputTemplate;
    expect(message).toContain('pipeline parameter UseSpotInstances=false');
    expect(message).toContain('Name=UseSpotInstances,Value=false');
    expect(message).toContain("'ml.g5.xlarge for spot training job usage'");
  });
});
