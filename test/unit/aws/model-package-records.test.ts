import { describe, expect, it } from 'vitest';
import { describedPackage, metricsOfReport, modelVersionFromPackage } from '../../../src/aws/model-package-records.ts';
import { UnexpectedSageMakerAnswerError } from '../../../src/aws/pipeline-execution-records.ts';

const answer = {
  ModelPackageGroupName: 'yolops-yolo-models',
  ModelPackageVersion: 4,
  ModelPackageArn: 'arn:aws:sagemaker:eu-west-1:123456789012:model-package/yolops-yolo-models/4',
  ModelApprovalStatus: 'Approved',
  ApprovalDescription: '',
  CreationTime: new Date('2026-11-23T10:00:00.000Z'),
  InferenceSpecification: { Containers: [{ Image: 'img', ModelDataSource: { S3DataSource: { S3Uri: 's3://artifacts/model/' } } }] },
  CustomerMetadataProperties: { InputDataUri: 's3://data/datasets/v4/', Team: 'vision' },
  MetadataProperties: { GeneratedBy: 'arn:aws:sagemaker:eu-west-1:123456789012:pipeline/yolops-pipeline/execution/abc123' },
};

describe('modelVersionFromPackage', () => {
  it('takes the artifact from ModelDataSource when there is no ModelDataUrl, and lineage from GeneratedBy', () => {
    expect(modelVersionFromPackage(describedPackage(answer), {})).toEqual({
      schemaVersion: 1,
      modelPackageGroupName: 'yolops-yolo-models',
      version: 4,
      modelPackageArn: answer.ModelPackageArn,
      artifactUri: 's3://artifacts/model/',
      approvalStatus: 'Approved',
      approvalHistory: [],
      metrics: {},
      lineage: { executionId: 'abc123', pipelineName: 'yolops-pipeline', datasetUri: 's3://data/datasets/v4/' },
      customerMetadata: { InputDataUri: 's3://data/datasets/v4/', Team: 'vision' },
      createdAt: '2026-11-23T10:00:00.000Z',
    });
  });

  it('refuses a package without an artifact or with a status it does not know', () => {
    expect(() => modelVersionFromPackage(describedPackage({ ...answer, InferenceSpecification: { Containers: [{ Image: 'img' }] } }), {})).toThrow(/has no model artifact/);
    expect(() => describedPackage({ ...answer, ModelApprovalStatus: 'Deprecated' })).toThrow(UnexpectedSageMakerAnswerError);
  });
});

describe('metricsOfReport', () => {
  it('keeps the numbers of the metrics object', () => {
    expect(metricsOfReport({ metrics: { mAP50: 0.8, mAP50_95: 0.6, note: 'x' }, per_class: {} })).toEqual({ mAP50: 0.8, mAP50_95: 0.6 });
    expect(metricsOfReport({ per_class: {} })).toBeUndefined();
  });
});
