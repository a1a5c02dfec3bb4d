import type { MetricDefinition } from '../../compiled-definition-types.ts';
import { stepProperty, type AnyValue, type IntegerValue, type StepPropertyRef, type StringValue } from '../values.ts';
import { splitStepOptions, type StepCommon, type StepOptions } from './common.ts';


/** SageMaker script mode: the container downloads `sourceDir` (a .tar.gz) and runs `entryPoint` from it. */
export interface ScriptMode {
  entryPoint: string;
  /** S3 URI of the source archive, e.g. `join([CodeUri, 'sourcedir.tar.gz'])`. */
  sourceDir: StringValue;
}

export interface TrainingStepOptions extends StepOptions {
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
  /** Managed spot training; `maxWaitSeconds` covers waiting for capacity plus the run. */
  managedSpot?: { maxWaitSeconds: IntegerValue };
  /** Synced to S3 while the job runs, so a spot interruption resumes from the last checkpoint. */
  checkpoint?: { s3Uri: StringValue; localPath?: string };
}

export type TrainingArgs = Omit<TrainingStepOptions, keyof StepOptions>;

export interface TrainingStep extends StepCommon {
  readonly type: 'Training';
  readonly args: TrainingArgs;
  readonly properties: {
    readonly TrainingJobName: StepPropertyRef<'String'>;
    readonly TrainingJobArn: StepPropertyRef<'String'>;
    readonly ModelArtifacts: { readonly S3ModelArtifacts: StepPropertyRef<'String'> };
  };
}

export function trainingStep(options: TrainingStepOptions): TrainingStep {
  const { common, args } = splitStepOptions(options);
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
