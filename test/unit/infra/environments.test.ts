import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { resourceCounts, type SynthesizedApp, synthTestApp, SYNTH_TIMEOUT } from './helpers.ts';

describe('prod keeps data when a stack is deleted', () => {
  let app: SynthesizedApp;
  beforeAll(() => {
    app = synthTestApp({ context: { environment: 'prod', notification_email: 'ml-team@example.com' } });
  }, SYNTH_TIMEOUT);

  it('retains buckets and never empties them', () => {
    for (const bucket of Object.values(app.shared.findResources('AWS::S3::Bucket'))) {
      expect(bucket.DeletionPolicy).toBe('Retain');
      expect(bucket.UpdateReplacePolicy).toBe('Retain');
    }
    expect(app.shared.findResources('Custom::S3AutoDeleteObjects')).toEqual({});
    // No auto-delete provider, and an MLflow App needs no URL lookup function.
    expect(resourceCounts(app.shared)['AWS::Lambda::Function']).toBeUndefined();
  });

  it('retains the MLflow App (its runs live in it), the key, the model registry and the log groups', () => {
    app.shared.hasResource('AWS::SageMaker::MlflowApp', { DeletionPolicy: 'Retain' });
    app.shared.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    app.pipeline.hasResource('AWS::SageMaker::ModelPackageGroup', { DeletionPolicy: 'Retain' });
    expect(Object.keys(app.pipeline.findResources('AWS::Logs::LogGroup'))).toHaveLength(1);
    for (const template of [app.shared, app.pipeline, app.trigger, app.serving]) {
      for (const group of Object.values(template.findResources('AWS::Logs::LogGroup'))) {
        expect(group.DeletionPolicy).toBe('Retain');
        expect(group.Properties.RetentionInDays).toBe(365);
      }
    }
  });

  it('keeps access logs for a year and old object versions for 90 days', () => {
    app.shared.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'yolops-access-logs-123456789012',
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 365 })]) },
    });
    app.shared.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'yolops-training-data-123456789012',
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 90 } })]) },
    });
  });

  it('subscribes notification_email to the topic', () => {
    app.shared.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ml-team@example.com',
      TopicArn: { Ref: Match.stringLikeRegexp('^NotificationsTopic') },
    });
  });

  it('tags the resources with project and environment (for cost allocation)', () => {
    const tags = Match.arrayWith([{ Key: 'environment', Value: 'prod' }, { Key: 'project', Value: 'yolops' }]);
    app.shared.hasResourceProperties('AWS::S3::Bucket', { Tags: tags });
    app.shared.hasResourceProperties('AWS::SageMaker::MlflowApp', { Tags: tags });
    app.pipeline.hasResourceProperties('AWS::SageMaker::Pipeline', { Tags: tags });
    app.trigger.hasResourceProperties('AWS::Lambda::Function', { Tags: tags });
  });
});

describe('dev tears down completely', () => {
  let app: SynthesizedApp;
  beforeAll(() => {
    app = synthTestApp();
  }, SYNTH_TIMEOUT);

  it('deletes every stateful resource', () => {
    const stateful = ['AWS::S3::Bucket', 'AWS::Logs::LogGroup', 'AWS::KMS::Key', 'AWS::SageMaker::MlflowApp'];
    expect(Object.keys(app.shared.findResources('AWS::SageMaker::MlflowApp'))).toHaveLength(1);
    for (const type of stateful) {
      for (const resource of Object.values(app.shared.findResources(type))) expect(resource.DeletionPolicy).toBe('Delete');
    }
    for (const template of [app.pipeline, app.trigger, app.serving]) {
      for (const resource of Object.values(template.findResources('AWS::Logs::LogGroup'))) expect(resource.DeletionPolicy).toBe('Delete');
    }
    app.shared.hasResourceProperties('AWS::KMS::Key', { PendingWindowInDays: 7 });
    expect(Object.keys(app.shared.findResources('Custom::S3AutoDeleteObjects'))).toHaveLength(4);
  });
});

describe('stack layout', () => {
  let app: SynthesizedApp;
  beforeAll(() => {
    app = synthTestApp();
  }, SYNTH_TIMEOUT);

  it('deploys in the account and region of cdk.json, under project-prefixed stack names', () => {
    const { shared, pipeline, trigger, serving } = app.stacks;
    expect([shared.stackName, pipeline.stackName, trigger.stackName, serving.stackName]).toEqual([
      'yolops-SharedResourcesStack',
      'yolops-SageMakerPipelineStack',
      'yolops-S3TriggerStack',
      'yolops-ServingStack',
    ]);
    for (const stack of [shared, pipeline, trigger, serving]) {
      expect(stack.account).toBe('123456789012');
      expect(stack.region).toBe('ap-southeast-2');
    }
  });

  it('orders the stacks shared <- pipeline <- trigger and pipeline <- serving, without CloudFormation exports (no cycles possible)', () => {
    const { shared, pipeline, trigger, serving } = app.stacks;
    expect(shared.dependencies).toEqual([]);
    expect(pipeline.dependencies).toEqual([shared]);
    expect(trigger.dependencies).toEqual(expect.arrayContaining([shared, pipeline]));
    expect(serving.dependencies).toEqual(expect.arrayContaining([shared, pipeline]));
    for (const template of [app.shared, app.pipeline, app.trigger, app.serving]) {
      expect(JSON.stringify(template.toJSON())).not.toContain('Fn::ImportValue');
    }
  });
});
