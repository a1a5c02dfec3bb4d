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

describe('the inference specification of a package', () => {
  const serving = {
    Containers: [{ Image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/yolops-inference:abc', Environment: { YOLOPS_INFERENCE_RUNTIME: 'auto' }, ModelDataUrl: 's3://artifacts/model.tar.gz' }],
    SupportedContentTypes: ['image/jpeg', 'application/json'],
    SupportedResponseMIMETypes: ['application/json'],
    SupportedRealtimeInferenceInstanceTypes: ['ml.m5.large'],
  };

  it('becomes the record\'s inference, the first container\'s image, environment and archive', () => {
    expect(modelVersionFromPackage(describedPackage({ ...answer, InferenceSpecification: serving }), {}).inference).toEqual({
      image: serving.Containers[0]?.Image,
      modelDataUrl: 's3://artifacts/model.tar.gz',
      environment: { YOLOPS_INFERENCE_RUNTIME: 'auto' },
      contentTypes: ['image/jpeg', 'application/json'],
      responseMimeTypes: ['application/json'],
      realtimeInstanceTypes: ['ml.m5.large'],
    });
  });

  it('is left out without content types or instance types (a package from before serving)', () => {
    expect(modelVersionFromPackage(describedPackage(answer), {}).inference).toBeUndefined();
    const { SupportedRealtimeInferenceInstanceTypes: _types, ...withoutTypes } = serving;
    expect(modelVersionFromPackage(describedPackage({ ...answer, InferenceSpecification: withoutTypes }), {}).inference).toBeUndefined();
  });

  it('refuses a serving specification without an image', () => {
    const noImage = { ...serving, Containers: [{ ...serving.Containers[0], Image: '' }] };
    expect(() => modelVersionFromPackage(describedPackage({ ...answer, InferenceSpecification: noImage }), {})).toThrow(/inference\.image/);
  });
});

describe('metricsOfReport', () => {
  it('keeps the numbers of the metrics object', () => {
    expect(metricsOfReport({ metrics: { mAP50: 0.8, mAP50_95: 0.6, note: 'x' }, per_class: {} })).toEqual({ mAP50: 0.8, mAP50_95: 0.6 });
    expect(metricsOfReport({ per_class: {} })).toBeUndefined();
  });
});
