import { Duration } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket, type IBucket, type LifecycleRule, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { EnvironmentPolicy } from '../environment.ts';

export interface SecureBucketProps {
  readonly bucketName: string;
  /** Where S3 server access logs of this bucket go (under `{bucketName}/`). */
  readonly accessLogsBucket: IBucket;
  readonly environment: EnvironmentPolicy;
  /**
   * Keep every version of every object, so that a dataset, model or checkpoint a run used can be recovered
   * after it was overwritten.
   * @default true
   */
  readonly versioned?: boolean;
  /**
   * Send S3 events to EventBridge (what the training trigger listens to).
   * @default false
   */
  readonly eventBridgeEnabled?: boolean;
  /**
   * Lifecycle rules in addition to the defaults (abort incomplete multipart uploads after 7 days, expire
   * noncurrent versions after the environment's retention).
   * @default - the defaults only
   */
  readonly lifecycleRules?: LifecycleRule[];
}

/** An S3 bucket that is private, TLS-only, encrypted, logged and versioned; removal follows the environment. */
export class SecureBucket extends Bucket {
  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    const versioned = props.versioned ?? true;
    super(scope, id, {
      bucketName: props.bucketName,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: `${props.bucketName}/`,
      lifecycleRules: [
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
        ...(versioned ? [{ id: 'expire-noncurrent-versions', noncurrentVersionExpiration: props.environment.noncurrentVersionExpiration }] : []),
        ...(props.lifecycleRules ?? []),
      ],
      removalPolicy: props.environment.removalPolicy,
      autoDeleteObjects: props.environment.autoDeleteObjects,
    });
    if (props.eventBridgeEnabled === true) {
      // The L2 `eventBridgeEnabled` adds a Custom::S3BucketNotifications Lambda (built to merge with
      // notifications of imported buckets); this bucket is ours, so CloudFormation's native property does it.
      (this.node.defaultChild as CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
    }
  }
}
