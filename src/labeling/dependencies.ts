import { createS3Client, createSageMakerClient, createSnsClient, type AwsConnection } from '../aws/clients.ts';
import { S3ServerSideCopy } from '../aws/labeling/s3-server-side-copy.ts';
import { SageMakerLabelingJobs } from '../aws/labeling/sagemaker-labeling-jobs.ts';
import { S3ObjectStore } from '../aws/s3-object-store.ts';
import { SnsNotifier } from '../aws/sns-notifier.ts';
import type { LabelingCompletionEnvironment } from './environment.ts';
import type { LabelingCompletionDeps, LabelingCompletionLog } from './process-event.ts';

/** The completion wired to SageMaker, S3 and SNS (`connection` points them at moto in the tests). */
export function createLabelingCompletionDeps(environment: LabelingCompletionEnvironment, log: LabelingCompletionLog, connection: AwsConnection = {}): LabelingCompletionDeps {
  const s3 = createS3Client(connection);
  return {
    environment,
    jobs: new SageMakerLabelingJobs(createSageMakerClient(connection)),
    store: new S3ObjectStore(s3),
    copier: new S3ServerSideCopy(s3),
    publisher: new SnsNotifier(createSnsClient(connection), environment.notificationsTopicArn),
    log,
  };
}
