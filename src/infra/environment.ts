import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { CdkContext } from '../core/config/cdk-context.ts';

/** What the `environment` of cdk.json decides about data that outlives a stack. */
export interface EnvironmentPolicy {
  /** Buckets, log groups, the KMS key, the MLflow server, the model registry. */
  readonly removalPolicy: RemovalPolicy;
  /** Empty buckets on stack deletion so that `cdk destroy` succeeds. */
  readonly autoDeleteObjects: boolean;
  readonly logRetention: RetentionDays;
  /** How long S3 server access logs are kept. */
  readonly accessLogExpiration: Duration;
  /** How long overwritten or deleted object versions are kept. */
  readonly noncurrentVersionExpiration: Duration;
}

/**
 * `prod` keeps everything that holds data when a stack is deleted; every other environment is a sandbox that
 * `cdk destroy` removes completely, so a forgotten dev deployment does not keep billing for storage.
 */
export function environmentPolicy(environment: CdkContext['environment']): EnvironmentPolicy {
  if (environment === 'prod') {
    return {
      removalPolicy: RemovalPolicy.RETAIN,
      autoDeleteObjects: false,
      logRetention: RetentionDays.ONE_YEAR,
      accessLogExpiration: Duration.days(365),
      noncurrentVersionExpiration: Duration.days(90),
    };
  }
  return {
    removalPolicy: RemovalPolicy.DESTROY,
    autoDeleteObjects: true,
    logRetention: RetentionDays.ONE_MONTH,
    accessLogExpiration: Duration.days(90),
    noncurrentVersionExpiration: Duration.days(30),
  };
}
