import { describe, expect, it } from 'vitest';
import { executionFromAnswers, stepFromAnswer } from '../../../src/aws/pipeline-execution-records.ts';
import { trainingJobFromAnswer } from '../../../src/aws/sagemaker-training-jobs.ts';
import { awsRunView, executionConsoleUrl } from '../../../src/cli/render/run-view-aws.ts';
import { formatRunList, formatRunView } from '../../../src/cli/render/run-view-format.ts';
import { localRunView } from '../../../src/cli/render/run-view-local.ts';
import { modelPackageVersion, runSummarySchema, runViewSchema, summaryOf } from '../../../src/cli/render/run-view.ts';
import { executionRecordSchema } from '../../../src/local/executions/execution-record.ts';

const ARN = 'arn:aws:sagemaker:eu-west-1:123456789012:pipeline/yolops-yolo-training-pipeline/execution/k3x9q2m1v8ab';
const JOB = 'arn:aws:sagemaker:eu-west-1:123456789012:training-job/pipelines-k3x9q2m1v8ab-train-abc';
const PACKAGE = 'arn:aws:sagemaker:eu-west-1:123456789012:model-package/yolops-yolo-models/3';
const DATA = 's3://yolops-training-data-123456789012/split_dataset/v1/';

/** A local record as the runner writes it (checked against the runner's own schema). */
const record = executionRecordSchema.parse({
  schemaVersion: 1,
  executionId: 'a1b2c3d4e5f6',
  executionArn: 'arn:aws:sagemaker:local:000000000000:pipeline/yolops-yolo-training-pipeline/execution/a1b2c3d4e5f6',
  pipelineName: 'yolops-yolo-training-pipeline',
  status: 'Succeeded',
  startedAt: '2026-05-01T10:00:00.000Z',
  endedAt: '2026-05-01T10:02:00.000Z',
  durationSeconds: 120,
  parameters: { InputDataUri: DATA, Epochs: 2, UseSpotInstances: true, CodeVersion: 'c0ffee' },
  steps: [
    { name: 'TrainOnSpot', type: 'Condition', status: 'Succeeded', durationSeconds: 0 },
    {
      name: 'Train',
      type: 'Training',
      status: 'Succeeded',
      startedAt: '2026-05-01T10:00:01.000Z',
      endedAt: '2026-05-01T10:01:31.000Z',
      durationSeconds: 90,
      properties: { TrainingJobArn: JOB, FinalMetricDataList: [{ MetricName: 'val:mAP50-95', Value: 0.53 }] },
    },
    { name: 'TrainOnDemand', type: 'Training', status: 'NotExecuted', notExecutedReason: 'TrainOnSpot took the other branch' },
  ],
  decisions: [{ step: 'QualityGate', outcome: true, conditions: [{ type: 'GreaterThanOrEqualTo', outcome: true, left: 0.53, right: 0.5 }], branchSteps: ['Register'] }],
  registeredModel: { modelPackageGroupName: 'yolops-yolo-models', version: 3, modelPackageArn: PACKAGE, approvalStatus: 'PendingManualApproval' },
  notifications: [],
  ignored: [],
  definitionSha256: 'x',
});

describe('run views', () => {
  it('maps a local record: parameters as strings, steps with metrics and notes, the gate, the model', () => {
    const view = runViewSchema.parse(localRunView(record));
    expect(view).toMatchObject({
      target: 'local',
      id: 'a1b2c3d4e5f6',
      status: 'Succeeded',
      durationSeconds: 120,
      parameters: { InputDataUri: DATA, Epochs: '2', UseSpotInstances: 'true', CodeVersion: 'c0ffee' },
      dataset: DATA,
      codeVersion: 'c0ffee',
      registeredModel: { version: 3, approvalStatus: 'PendingManualApproval' },
      conditions: [{ step: 'QualityGate', outcome: true, detail: '0.53 GreaterThanOrEqualTo 0.5' }],
    });
    expect(view.steps[1]).toEqual({ name: 'Train', type: 'Training', status: 'Succeeded', startedAt: '2026-05-01T10:00:01.000Z', endedAt: '2026-05-01T10:01:31.000Z', durationSeconds: 90, job: JOB, metrics: { 'val:mAP50-95': 0.53 } });
    expect(view.steps[2]).toMatchObject({ status: 'NotExecuted', note: 'TrainOnSpot took the other branch' });
    expect(runSummarySchema.parse(summaryOf(view))).not.toHaveProperty('steps');
  });

  it('maps a SageMaker execution and its steps, read through the adapter, to the same shape', () => {
    const execution = executionFromAnswers(
      { PipelineExecutionArn: ARN, PipelineExecutionStatus: 'Failed', FailureReason: 'Step failure', CreationTime: new Date('2026-05-01T10:00:00Z'), LastModifiedTime: new Date('2026-05-01T10:30:00Z'), PipelineExecutionDisplayName: 'split-dataset-v1-20260501T1000' },
      [[{ Name: 'InputDataUri', Value: DATA }, { Name: 'Epochs', Value: '2' }]],
      'yolops-yolo-training-pipeline',
    );
    const steps = [
      stepFromAnswer({ StepName: 'TrainOnSpot', StepStatus: 'Succeeded', StartTime: new Date('2026-05-01T10:00:00Z'), EndTime: new Date('2026-05-01T10:00:01Z'), Metadata: { Condition: { Outcome: 'True' } } }),
      stepFromAnswer({ StepName: 'Train', StepStatus: 'Succeeded', StartTime: new Date('2026-05-01T10:00:02Z'), EndTime: new Date('2026-05-01T10:20:02Z'), Metadata: { TrainingJob: { Arn: JOB } } }),
      stepFromAnswer({ StepName: 'Register', StepStatus: 'Succeeded', Metadata: { RegisterModel: { Arn: PACKAGE } } }),
      stepFromAnswer({ StepName: 'QualityGateFailed', StepStatus: 'Failed', Metadata: { Fail: { ErrorMessage: 'Quality gate failed: mAP50-95 is 0.2' } } }),
    ];
    const job = trainingJobFromAnswer({ TrainingJobName: 'pipelines-k3x9q2m1v8ab-train-abc', TrainingJobArn: JOB, TrainingJobStatus: 'Completed', FinalMetricDataList: [{ MetricName: 'val:mAP50-95', Value: 0.61, Timestamp: new Date() }] });
    const view = runViewSchema.parse(awsRunView({ execution, region: 'eu-west-1', steps, trainingJobs: new Map([[JOB, job]]) }));
    expect(view).toMatchObject({
      target: 'aws',
      id: 'k3x9q2m1v8ab',
      executionArn: ARN,
      displayName: 'split-dataset-v1-20260501T1000',
      status: 'Failed',
      failureReason: 'Step failure',
      startedAt: '2026-05-01T10:00:00.000Z',
      endedAt: '2026-05-01T10:30:00.000Z',
      durationSeconds: 1800,
      dataset: DATA,
      registeredModel: { modelPackageGroupName: 'yolops-yolo-models', version: 3, modelPackageArn: PACKAGE },
      conditions: [{ step: 'TrainOnSpot', outcome: true }],
      locations: { console: executionConsoleUrl('eu-west-1', 'yolops-yolo-training-pipeline', 'k3x9q2m1v8ab') },
    });
    expect(view).not.toHaveProperty('codeVersion'); // the deployed default: not among the parameters passed
    expect(view.steps.map((s) => [s.name, s.type, s.durationSeconds, s.failureReason, s.metrics])).toEqual([
      ['TrainOnSpot', 'Condition', 1, undefined, undefined],
      ['Train', 'Training', 1200, undefined, { 'val:mAP50-95': 0.61 }],
      ['Register', 'RegisterModel', undefined, undefined, undefined],
      ['QualityGateFailed', 'Fail', undefined, 'Quality gate failed: mAP50-95 is 0.2', undefined],
    ]);
    // Still running: no end, no duration.
    const running = awsRunView({ execution: { ...execution, status: 'Executing' }, region: 'eu-west-1' });
    expect(running).not.toHaveProperty('endedAt');
    expect(running).not.toHaveProperty('durationSeconds');
  });

  it('reads group and version from a model package ARN only', () => {
    expect(modelPackageVersion(PACKAGE)).toEqual({ modelPackageGroupName: 'yolops-yolo-models', version: 3 });
    expect(modelPackageVersion('arn:aws:sagemaker:eu-west-1:123456789012:model-package-group/yolops-yolo-models')).toBeUndefined();
  });

  it('writes the console link of the execution\'s partition', () => {
    expect(executionConsoleUrl('us-east-1', 'p', 'abc')).toBe('https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/pipelines/p/executions/abc');
    expect(executionConsoleUrl('cn-north-1', 'p', 'abc')).toMatch(/^https:\/\/cn-north-1\.console\.amazonaws\.cn\//);
  });

  it('prints both targets with one layout', () => {
    const local = formatRunView(localRunView(record));
    expect(local).toMatch(/^execution a1b2c3d4e5f6 \(yolops-yolo-training-pipeline\): Succeeded in 2 min 0 s\n/);
    expect(local).toMatch(/Train\s+Training\s+Succeeded\s+1 min 30 s\s+val:mAP50-95 0\.5300/);
    expect(local).toMatch(/registered: yolops-yolo-models version 3 \(PendingManualApproval\); approve with: npx yolops models approve 3/);
    const stopped = formatRunView(localRunView({ ...record, status: 'Stopped', stopReason: 'stopped by SIGINT (Ctrl-C)' }));
    expect(stopped).toMatch(/: Stopped in 2 min 0 s\nstopped: stopped by SIGINT \(Ctrl-C\); continue it with: npx yolops runs retry a1b2c3d4e5f6\n/);
    const list = formatRunList([summaryOf(localRunView(record))]).split('\n');
    expect(list[0]).toMatch(/^execution\s+status\s+started\s+duration\s+dataset\s+model version$/);
    expect(list[2]).toMatch(new RegExp(`^a1b2c3d4e5f6\\s+Succeeded\\s+2026-05-01 10:00:00\\s+2 min 0 s\\s+${DATA.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\s+3$`));
  });
});
