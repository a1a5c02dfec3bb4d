import type { MetricDefinition } from '../../compiled-definition-types.ts';
import { stepProperty, type AnyValue, type BooleanValue, type IntegerValue, type StepPropertyRef, type StringValue } from '../values.ts';
import { splitRetryableStepOptions, type RetryableStepCommon, type RetryableStepOptions } from './common.ts';

/** SageMaker script mode: the container downloads `sourceDir` (a .tar.gz) and runs `entryPoint` from it. */
export interface ScriptMode {
  entryPoint: string;
  /** S3 URI of the source archive, e.g. `join([CodeUri, 'sourcedir.tar.gz'])`. */
  sourceDir: StringValue;
}

/**
 * Managed spot training. SageMaker needs `StoppingCondition.MaxWaitTimeInSeconds` when spot is on and refuses it
 * when spot is off ("Invalid MaxWaitTimeInSeconds. It is only supported when EnableManagedSpotTraining is set to
 * true"), so `maxWaitSeconds` must be given exactly when `enabled` is true where the step runs; the validator
 * checks this, following a Boolean parameter through the Condition steps the step sits in.
 */
export interface ManagedSpot {
  /** @default true */
  enabled?: BooleanValue;
  /** How long SageMaker may wait for spot capacity plus run; at least maxRuntimeSeconds. */
  maxWaitSeconds?: IntegerValue;
}

export interface TrainingStepOptions extends RetryableStepOptions {
  image: StringValue;
  roleArn: StringValue;
  instanceType: StringValue;
  /** @default 1 */
  instanceCount?: IntegerValue;
  volumeSizeGb: IntegerValue;
  /** Channel name -> S3 prefix; the container sees each under `/opt/ml/input/data/<channel>` (SM_CHANNEL_<NAME>). */
  inputs: Readonly<Record<string, StringValue>>;
  /** Where SageMaker writes `<job name>/output/model.tar.gz`. */
  outputS3Uri: StringValue;
  /** Encoded the way the SageMaker SDK does: literals JSON-encoded, expressions converted to strings at run time. */
  hyperParameters?: Readonly<Record<string, AnyValue>>;
  scriptMode?: ScriptMode;
  environment?: Readonly<Record<string, StringValue>>;
  metricDefinitions?: readonly MetricDefinition[];
  maxRuntimeSeconds: IntegerValue;
  managedSpot?: ManagedSpot;
  /** Synced to S3 while the job runs, so a spot interruption resumes from the last checkpoint. */
  checkpoint?: { s3Uri: StringValue; localPath?: string };
}

export type TrainingArgs = Omit<TrainingStepOptions, keyof RetryableStepOptions>;

export interface TrainingStep extends RetryableStepCommon {
  readonly type: 'Training';
  readonly args: TrainingArgs;
  readonly properties: {
    readonly TrainingJobName: StepPropertyRef<'String'>;
    readonly TrainingJobArn: StepPropertyRef<'String'>;
    readonly ModelArtifacts: { readonly S3ModelArtifacts: StepPropertyRef<'String'> };
  };
}

export function trainingStep(options: TrainingStepOptions): TrainingStep {
  const { common, args } = splitRetryableStepOptions(options);
  const name = common.name;
  return {
    type: 'Training',
    ...common,
    args,
    properties: {
      TrainingJobName: stepProperty(name, 'TrainingJobName'),
      TrainingJobArn: stepProperty(name, 'TrainingJobArn'),
      ModelArtifacts: { S3ModelArtifacts: stepProperty(name, 'ModelArtifacts.S3ModelArtifacts') },
    },
  };
}
