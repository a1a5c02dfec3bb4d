import { propertyFile, stepProperty, type IntegerValue, type PropertyFileRef, type StepPropertyRef, type StringValue } from '../values.ts';
import { splitRetryableStepOptions, type RetryableStepCommon, type RetryableStepOptions } from './common.ts';

export interface ProcessingInput {
  name: string;
  /** S3 URI (prefix or object) to download. */
  source: StringValue;
  /** Path inside the container, under `/opt/ml/processing/`. */
  destination: string;
}

export interface ProcessingOutput {
  name: string;
  /** Path inside the container whose files are uploaded when the job ends. */
  source: string;
  destination: StringValue;
}

/** A JSON file in one of the step's outputs that later steps read with `jsonGet()`. */
export interface PropertyFileSpec {
  name: string;
  /** The `name` of one of the step's outputs. */
  outputName: string;
  /** Path of the file inside that output, e.g. `evaluation.json`. */
  path: string;
}

export interface ProcessingStepOptions extends RetryableStepOptions {
  image: StringValue;
  roleArn: StringValue;
  instanceType: StringValue;
  /** @default 1 */
  instanceCount?: IntegerValue;
  volumeSizeGb: IntegerValue;
  entrypoint?: readonly StringValue[];
  arguments?: readonly StringValue[];
  inputs?: readonly ProcessingInput[];
  outputs?: readonly ProcessingOutput[];
  environment?: Readonly<Record<string, StringValue>>;
  maxRuntimeSeconds?: IntegerValue;
  propertyFiles?: readonly PropertyFileSpec[];
}

export type ProcessingArgs = Omit<ProcessingStepOptions, keyof RetryableStepOptions>;

export interface ProcessingStep extends RetryableStepCommon {
  readonly type: 'Processing';
  readonly args: ProcessingArgs;
  readonly properties: {
    readonly ProcessingJobName: StepPropertyRef<'String'>;
    readonly ProcessingJobArn: StepPropertyRef<'String'>;
  };
  /** A reference to one of this step's property files, for `jsonGet()`. */
  propertyFile(name: string): PropertyFileRef;
  /** The S3 URI an output was uploaded to. */
  outputS3Uri(outputName: string): StepPropertyRef<'String'>;
}

export function processingStep(options: ProcessingStepOptions): ProcessingStep {
  const { common, args } = splitRetryableStepOptions(options);
  const name = common.name;
  return {
    type: 'Processing',
    ...common,
    args,
    properties: {
      ProcessingJobName: stepProperty(name, 'ProcessingJobName'),
      ProcessingJobArn: stepProperty(name, 'ProcessingJobArn'),
    },
    propertyFile: (fileName) => propertyFile(name, fileName),
    outputS3Uri: (outputName) => stepProperty(name, `ProcessingOutputConfig.Outputs['${outputName}'].S3Output.S3Uri`),
  };
}
