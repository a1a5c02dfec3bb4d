import { Duration, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { EnvironmentPolicy } from '../environment.ts';

export interface AccessLogsBucketProps {
  readonly bucketName: string;
  readonly environment: EnvironmentPolicy;
}

/**
 * The destination of every other bucket's S3 server access logs. It logs nothing itself (logging into itself
 * would log every log delivery); cdk-nag's S1 accepts a bucket that is the log destination of another.
 */
export class AccessLogsBucket extends Bucket {
  constructor(scope: Construct, id: string, props: AccessLogsBucketProps) {
    super(scope, id, {
      bucketName: props.bucketName,
      // S3 server access logging can only deliver to SSE-S3 buckets, never to SSE-KMS ones.
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // Log delivery is granted by bucket policy (serverAccessLogsUseBucketPolicy), so ACLs stay disabled.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: false,
      lifecycleRules: [
        { id: 'expire-access-logs', expiration: props.environment.accessLogExpiration },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
      removalPolicy: props.environment.removalPolicy,
      autoDeleteObjects: props.environment.autoDeleteObjects,
    });
  }

  /**
   * Lets S3 deliver the access logs of a bucket of another stack (under `{bucketName}/`). CDK writes this
   * statement itself for source buckets of this stack; one created elsewhere cannot change this bucket's policy.
   */
  allowLogsFrom(bucketName: string): void {
    const stack = Stack.of(this);
    this.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('logging.s3.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.arnForObjects(`${bucketName}/*`)],
        conditions: {
          ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 's3', region: '', account: '', resource: bucketName }) },
          StringEquals: { 'aws:SourceAccount': stack.account },
        },
      }),
    );
  }
}
