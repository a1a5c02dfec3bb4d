import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../../../src/local/json.ts';
import { ResolutionError } from '../../../../src/local/pipeline/errors.ts';
import { resolveExpression } from '../../../../src/local/pipeline/expressions.ts';
import { fakeScope } from './scope.ts';

const trainProperties = {
  TrainingJobName: 'pipelines-abc-Train',
  ModelArtifacts: { S3ModelArtifacts: 's3://art/pipelines/abc/pipelines-abc-Train/output/model.tar.gz' },
  FinalMetricDataList: [{ MetricName: 'val:mAP50-95', Value: 0.42, Timestamp: 't' }],
  HyperParameters: { epochs: '3' },
};
const evaluateProperties = {
  ProcessingOutputConfig: { Outputs: [{ OutputName: 'evaluation', S3Output: { S3Uri: 's3://art/pipelines/abc/evaluation/', LocalPath: '/opt/ml/processing/evaluation' } }] },
};
const scope = fakeScope({
  parameters: { Epochs: 3, QualityThreshold: 0.5, Model: 'yolo11n.yaml', Flag: true, CodeUri: 's3://code/v1/' },
  steps: { Train: trainProperties, Evaluate: evaluateProperties, Skipped: 'it is NotExecuted (branch not taken)' },
  propertyFiles: { 'Evaluate/EvaluationReport': { metrics: { mAP50_95: 0.61, 'mAP50-95': 0.61 }, per_class: [{ name: 'a', ap: 0.7 }] } },
  objects: { 's3://art/report.json': { metrics: { recall: 0.3 } } },
  jobName: 'pipelines-abc-Train',
});
const resolve = (value: JsonValue): Promise<JsonValue> => resolveExpression(value, scope, 'X');

describe('resolveExpression', () => {
  it('copies literals and plain objects, resolving what is inside', async () => {
    expect(await resolve({ a: [1, 'x', null, { Get: 'Parameters.Epochs' }], b: { c: true } })).toEqual({ a: [1, 'x', null, 3], b: { c: true } });
  });

  it('reads parameters and execution variables', async () => {
    expect(await resolve({ Get: 'Parameters.QualityThreshold' })).toBe(0.5);
    expect(await resolve({ Get: 'Execution.PipelineExecutionId' })).toBe('abc123def456');
    expect(await resolve({ Get: 'Execution.PipelineName' })).toBe('p');
    expect(await resolve({ Get: 'Execution.TrainingJobName' })).toBe('pipelines-abc-Train');
    await expect(resolve({ Get: 'Execution.ProcessingJobName' })).rejects.toThrow(/X.Get: Execution.ProcessingJobName has no value here/);
    await expect(resolve({ Get: 'Parameters.Missing' })).rejects.toThrow(/X.Get: parameter "Missing" has no value/);
  });

  it('reads step properties, including lists indexed by name', async () => {
    expect(await resolve({ Get: 'Steps.Train.ModelArtifacts.S3ModelArtifacts' })).toBe(trainProperties.ModelArtifacts.S3ModelArtifacts);
    expect(await resolve({ Get: "Steps.Evaluate.ProcessingOutputConfig.Outputs['evaluation'].S3Output.S3Uri" })).toBe('s3://art/pipelines/abc/evaluation/');
    expect(await resolve({ Get: "Steps.Train.FinalMetricDataList['val:mAP50-95'].Value" })).toBe(0.42);
    expect(await resolve({ Get: "Steps.Train.HyperParameters['epochs']" })).toBe('3');
  });

  it('fails clearly on a property of a step that did not run or that does not exist', async () => {
    await expect(resolve({ Get: 'Steps.Skipped.ModelArtifacts.S3ModelArtifacts' })).rejects.toThrow(/cannot read ModelArtifacts.S3ModelArtifacts of step "Skipped": it is NotExecuted \(branch not taken\)/);
    await expect(resolve({ Get: 'Steps.Train.ModelArtifacts.Nope' })).rejects.toThrow(/step "Train" has no property ModelArtifacts.Nope: nothing at ModelArtifacts.Nope/);
    await expect(resolve({ Get: 'Steps.Evaluate.PropertyFiles.EvaluationReport' })).rejects.toThrow(/can only be read through Std:JsonGet/);
  });

  it('joins strings, numbers and booleans with On', async () => {
    expect(await resolve({ 'Std:Join': { On: '/', Values: ['s3://art/pipelines', { Get: 'Execution.PipelineExecutionId' }, ''] } })).toBe('s3://art/pipelines/abc123def456/');
    expect(await resolve({ 'Std:Join': { On: '', Values: [{ Get: 'Parameters.Epochs' }] } })).toBe('3');
    expect(await resolve({ 'Std:Join': { On: '', Values: ['"', { Get: 'Parameters.CodeUri' }, 'sourcedir.tar.gz"'] } })).toBe('"s3://code/v1/sourcedir.tar.gz"');
    expect(await resolve({ 'Std:Join': { On: ',', Values: [1.5, true, 'x'] } })).toBe('1.5,true,x');
    expect(await resolve({ 'Std:Join': { On: '', Values: [] } })).toBe('');
    await expect(resolve({ 'Std:Join': { On: '', Values: [null] } })).rejects.toThrow(/X\['Std:Join'\].Values\[0\]: Std:Join joins strings, numbers and booleans; this value is null/);
  });

  it('reads property files and S3 objects with a JSONPath', async () => {
    const jsonGet = (path: string): JsonValue => ({ 'Std:JsonGet': { PropertyFile: { Get: 'Steps.Evaluate.PropertyFiles.EvaluationReport' }, Path: path } });
    expect(await resolve(jsonGet('metrics.mAP50_95'))).toBe(0.61);
    expect(await resolve(jsonGet('$.metrics.mAP50_95'))).toBe(0.61);
    expect(await resolve(jsonGet("metrics['mAP50-95']"))).toBe(0.61);
    expect(await resolve(jsonGet('per_class[0].ap'))).toBe(0.7);
    expect(await resolve({ 'Std:JsonGet': { S3Uri: { 'Std:Join': { On: '/', Values: ['s3://art', 'report.json'] } }, Path: 'metrics.recall' } })).toBe(0.3);
    await expect(resolve(jsonGet('metrics.precision'))).rejects.toThrow(/Path "metrics.precision" in property file EvaluationReport of step Evaluate: nothing at metrics.precision/);
  });

  it('nests functions (a Fail message joining a JsonGet and a parameter)', async () => {
    const message: JsonValue = {
      'Std:Join': {
        On: '',
        Values: ['mAP50-95 ', { 'Std:JsonGet': { PropertyFile: { Get: 'Steps.Evaluate.PropertyFiles.EvaluationReport' }, Path: 'metrics.mAP50_95' } }, ' < ', { Get: 'Parameters.QualityThreshold' }],
      },
    };
    expect(await resolve(message)).toBe('mAP50-95 0.61 < 0.5');
  });

  it('refuses unknown and malformed functions instead of passing them through', async () => {
    await expect(resolve({ 'Std:Concat': { Values: [] } })).rejects.toThrow(/X: unsupported function "Std:Concat"/);
    await expect(resolve({ Get: 'Parameters.Epochs', Extra: 1 })).rejects.toThrow(/a function object holds exactly one key/);
    await expect(resolve({ Get: 3 })).rejects.toThrow(/Get takes a string/);
    await expect(resolve({ 'Std:Join': { Values: [] } })).rejects.toThrow(/Std:Join takes/);
    await expect(resolve({ 'Std:JsonGet': { Path: 'a' } })).rejects.toThrow(/needs a PropertyFile or an S3Uri/);
    await expect(resolve({ 'Std:JsonGet': { PropertyFile: { Get: 'Parameters.X' }, Path: 'a' } })).rejects.toThrow(/PropertyFile must be a Steps.<step>.PropertyFiles.<name> reference/);
    await expect(resolve({ 'Std:JsonGet': { PropertyFile: { Get: 'Steps.Evaluate.PropertyFiles.R' }, Path: 'metrics.mAP50-95' } })).rejects.toThrow(/Std:JsonGet Path: expected/);
  });

  it('throws ResolutionError with the location', async () => {
    const error = await resolveExpression({ a: [{ Get: 'Parameters.Nope' }] }, scope, 'Steps[0].Arguments').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResolutionError);
    expect((error as ResolutionError).location).toBe('Steps[0].Arguments.a[0].Get');
  });
});
