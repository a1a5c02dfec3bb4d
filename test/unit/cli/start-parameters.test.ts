import { describe, expect, it } from 'vitest';
import { CliError } from '../../../src/cli/errors.ts';
import { declaredParameters, inputDataUri, startParameters } from '../../../src/cli/start-parameters.ts';
import { parseTrainingConfig } from '../../../src/core/config/training-config.ts';
import { CONFIG_PARAMETERS, synthesizeTrainingPipelineFromFiles } from '../../../src/core/pipeline/index.ts';
import { REPO_ROOT } from '../../../src/local/layout.ts';

const BUCKET = 'yolops-training-data-123456789012';
const config = parseTrainingConfig({});
/** The parameters this repository's compiled definition declares. */
const declared = declaredParameters(synthesizeTrainingPipelineFromFiles({ root: REPO_ROOT }).json);
const context = { config, declared, trainingDataBucket: BUCKET };

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(2);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('startParameters', () => {
  it('sends only what was changed, under the names and in the formats of CONFIG_PARAMETERS', () => {
    const parameters = startParameters({ data: 'v1', epochs: '3', batchSize: 'auto', instanceType: 'ml.g6.2xlarge', spot: false, codeVersion: 'abc123' }, context);
    expect(parameters).toEqual({
      Epochs: '3',
      BatchSize: 'auto',
      TrainingInstanceType: 'ml.g6.2xlarge',
      UseSpotInstances: 'false',
      InputDataUri: `s3://${BUCKET}/split_dataset/v1/`,
      CodeUri: `s3://${BUCKET}/code/abc123/`,
      CodeVersion: 'abc123',
    });
    // Every name sent is one the config table knows, for the key the flag sets.
    expect(CONFIG_PARAMETERS.Epochs.key).toBe('epochs');
    expect(CONFIG_PARAMETERS.TrainingInstanceType.key).toBe('instance_type');
    expect(startParameters({ data: 'v1', batchSize: '16', spot: true }, context)).toEqual({ BatchSize: '16', UseSpotInstances: 'true', InputDataUri: `s3://${BUCKET}/split_dataset/v1/` });
    expect(startParameters({}, context)).toEqual({});
  });

  it('checks each value with the training-config.json schema and names the flag', () => {
    expect(refusal(() => startParameters({ epochs: '0' }, context))).toBe('--epochs 0: must be at least 1');
    expect(refusal(() => startParameters({ epochs: '2.5' }, context))).toMatch(/^--epochs "2\.5": must be a whole number of epochs/);
    expect(refusal(() => startParameters({ batchSize: '-4' }, context))).toMatch(/^--batch-size -4: .*>=1/);
    expect(refusal(() => startParameters({ batchSize: 'big' }, context))).toMatch(/^--batch-size "big": must be a positive whole number or "auto"/);
    expect(refusal(() => startParameters({ instanceType: 'ml.t2.nano' }, context))).toMatch(/^--instance-type "ml\.t2\.nano": must be a SageMaker training instance type/);
    expect(refusal(() => startParameters({ codeVersion: 'a/b' }, context))).toMatch(/^--code-version "a\/b" must be 1-128 letters/);
  });

  it('sends --format as InputFormat, a version name then being a labelled export under labeled-data/', () => {
    expect(startParameters({ data: 'export-7', format: 'coco' }, context)).toEqual({ InputFormat: 'coco', InputDataUri: `s3://${BUCKET}/labeled-data/export-7/` });
    expect(startParameters({ data: `s3://${BUCKET}/labeled-data/gt-job-1`, format: 'groundtruth' }, context)).toEqual({ InputFormat: 'groundtruth', InputDataUri: `s3://${BUCKET}/labeled-data/gt-job-1/` });
    // yolo is a split dataset's format: its versions stay under split_dataset/.
    expect(startParameters({ data: 'v1', format: 'yolo' }, context)).toEqual({ InputFormat: 'yolo', InputDataUri: `s3://${BUCKET}/split_dataset/v1/` });
    expect(refusal(() => startParameters({ data: 'v1', format: 'yaml' }, context))).toBe('--format "yaml" is not a label format yolops reads; use one of yolo, coco, voc, groundtruth, labelstudio');
    // A deployed definition from before the Preprocess step has no InputFormat: refused, as any parameter it lacks.
    const beforePreprocess = { ...context, declared: declared.filter((name) => name !== 'InputFormat') };
    expect(refusal(() => startParameters({ data: 'v1', format: 'coco' }, beforePreprocess))).toBe('the pipeline does not declare the parameter InputFormat: deploy the current definition first (`yolops pipeline upsert`)');
  });

  it('refuses a parameter the definition does not declare', () => {
    const withoutSpot = { ...context, declared: declared.filter((name) => name !== 'UseSpotInstances') };
    expect(refusal(() => startParameters({ spot: true, epochs: '2' }, withoutSpot))).toBe('the pipeline does not declare the parameter UseSpotInstances: deploy the current definition first (`yolops pipeline upsert`)');
  });
});

describe('inputDataUri', () => {
  it('is always a folder of the training bucket, ending with one /', () => {
    expect(inputDataUri('2026-11-23', BUCKET)).toBe(`s3://${BUCKET}/split_dataset/2026-11-23/`);
    expect(inputDataUri(`s3://${BUCKET}/sample_dataset/demo`, BUCKET)).toBe(`s3://${BUCKET}/sample_dataset/demo/`);
    expect(inputDataUri(`s3://${BUCKET}/split_dataset/v1//`, BUCKET)).toBe(`s3://${BUCKET}/split_dataset/v1/`);
  });

  it('refuses another bucket, the whole bucket, a non-URI and a bad version name', () => {
    expect(refusal(() => inputDataUri('s3://elsewhere/split_dataset/v1/', BUCKET))).toMatch(/^--data s3:\/\/elsewhere\/split_dataset\/v1\/ is outside the training bucket/);
    expect(refusal(() => inputDataUri(`s3://${BUCKET}/`, BUCKET))).toMatch(/names the whole bucket/);
    expect(refusal(() => inputDataUri('https://example.com/data/', BUCKET))).toMatch(/^--data "https:\/\/example\.com\/data\/" is not an S3 URI/);
    expect(refusal(() => inputDataUri('../v1', BUCKET))).toMatch(/^--data \.\.\/v1: give an s3:\/\/.* URI or a version name under split_dataset\//);
  });
});
