import { createS3Client, createSageMakerClient, createSnsClient, createSqsClient, type AwsConnection } from '../aws/clients.ts';
import { S3ObjectStore } from '../aws/s3-object-store.ts';
import { S3UploadsInProgress } from '../aws/s3-uploads-in-progress.ts';
import { SageMakerPipelines } from '../aws/sagemaker-pipelines.ts';
import { SnsNotifier } from '../aws/sns-notifier.ts';
import { SqsRecheckScheduler } from '../aws/sqs-recheck-scheduler.ts';
import { trainingConfigParameters } from '../core/pipeline/config-parameters.ts';
import type { TriggerDeps, TriggerLog } from '../core/trigger/process-version.ts';
import type { TriggerEnvironment } from './environment.ts';

/** The trigger's core wired to S3, SageMaker, SNS and SQS (`connection` points them at moto in the tests). */
export function createTriggerDeps(environment: TriggerEnvironment, log: TriggerLog, connection: AwsConnection = {}): TriggerDeps {
  const s3 = createS3Client(connection);
  return {
    store: new S3ObjectStore(s3),
    uploads: new S3UploadsInProgress(s3),
    starter: new SageMakerPipelines(createSageMakerClient(connection)),
    publisher: new SnsNotifier(createSnsClient(connection), environment.notificationsTopicArn),
    rechecks: new SqsRecheckScheduler(createSqsClient(connection), environment.queueUrl),
    settings: {
      trainingBucket: environment.trainingBucket,
      pipelineName: environment.pipelineName,
      quietPeriodMs: environment.quietPeriodSeconds * 1000,
      configKey: environment.configKey,
      claimStaleMs: environment.claimStaleSeconds * 1000,
      validationConcurrency: environment.validationConcurrency,
    },
    configParameters: trainingConfigParameters,
    log,
    now: () => new Date(),
  };
}
