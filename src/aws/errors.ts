import { YolopsError } from '../core/errors.ts';

/** Base of the errors of the AWS adapters (src/aws): S3, SageMaker Pipelines, the Model Registry, SNS. */
export class AwsError extends YolopsError {}
