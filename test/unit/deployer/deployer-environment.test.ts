import { describe, expect, it } from 'vitest';
import { namesOfEnvironment } from '../../../src/deployer/dependencies.ts';
import { DeployerEnvironmentError, readDeployerEnvironment } from '../../../src/deployer/environment.ts';
import { parseDeployerEvent } from '../../../src/deployer/events.ts';

const valid = {
  MODEL_PACKAGE_GROUP: 'acme-yolo-models',
  STAGING_ENDPOINT: 'acme-staging',
  ENDPOINT_ROLE_ARN: 'arn:aws:iam::210987654321:role/acme-endpoint-role',
  TRAINING_BUCKET: 'acme-training-data-210987654321',
  TRAINING_CONFIG_KEY: 'config/training-config.json',
  NOTIFICATIONS_TOPIC_ARN: 'arn:aws:sns:eu-west-1:210987654321:acme-notifications',
};

describe('namesOfEnvironment', () => {
  it('finds the project and account the names were made from', () => {
    const { projectName, names } = namesOfEnvironment(readDeployerEnvironment(valid));
    expect(projectName).toBe('acme');
    expect([names.productionEndpoint, names.modelArtifactsBucket, names.productionErrorsAlarm]).toEqual(['acme-production', 'acme-model-artifacts-210987654321', 'acme-production-5xx']);
  });

  it('refuses names that resourceNames would not give, naming each', () => {
    const bad = readDeployerEnvironment({ ...valid, MODEL_PACKAGE_GROUP: 'other-models', TRAINING_BUCKET: 'some-bucket' });
    expect(() => namesOfEnvironment(bad)).toThrow(DeployerEnvironmentError);
    expect(() => namesOfEnvironment(bad)).toThrow(/TRAINING_BUCKET is "some-bucket", expected "acme-training-data-"; MODEL_PACKAGE_GROUP is "other-models", expected "acme-yolo-models"/);
  });
});

describe('parseDeployerEvent', () => {
  it('says why an event is not one the deployer handles', () => {
    expect(parseDeployerEvent({ hello: 1 })).toMatchObject({ problem: expect.stringMatching(/^not a SageMaker EventBridge event: /) });
    const envelope = { id: '1', source: 'aws.sagemaker', time: '2026-12-02T08:00:00Z' };
    expect(parseDeployerEvent({ ...envelope, 'detail-type': 'SageMaker Training Job State Change', detail: {} })).toEqual({ problem: 'the deployer does not handle "SageMaker Training Job State Change" events' });
    expect(parseDeployerEvent({ ...envelope, 'detail-type': 'SageMaker Endpoint State Change', detail: { EndpointName: 'acme-staging' } })).toEqual({ problem: 'a SageMaker Endpoint State Change event without the fields the deployer needs: EndpointStatus: Invalid input: expected string, received undefined' });
  });
});
