import { type CfnElement, Stack, Token, Validations } from 'aws-cdk-lib';
import { CfnBucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';

/** A reason short enough to be boilerplate ("not needed") says nothing a reviewer can check. */
const MIN_REASON_LENGTH = 40;

/**
 * Acknowledges one cdk-nag finding on `scope` (cdk-nag 3 names granular findings exactly, e.g.
 * `AwsSolutions-IAM5[Action::s3:List*]`). The reason must be at least a sentence specific to the resource:
 * it is what a security reviewer reads instead of the finding.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  const trimmed = reason.trim();
  if (Token.isUnresolved(trimmed)) throw new Error(`cdk-nag acknowledgement ${id} on ${scope.node.path} has a reason with an unresolved token: "${reason}"`);
  if (trimmed.length < MIN_REASON_LENGTH || !/^[A-Z][\s\S]*[.!?]$/.test(trimmed)) {
    throw new Error(`cdk-nag acknowledgement ${id} on ${scope.node.path} needs a reason of at least one full sentence (${MIN_REASON_LENGTH}+ characters, starting with a capital and ending with a full stop); got "${reason}"`);
  }
  Validations.of(scope).acknowledge({ id, reason: trimmed });
}

/**
 * What a CDK bucket grant gives, by the wildcard action families cdk-nag reports for it; `write` is a statement
 * of our own that names its object actions one by one (no wildcard action to acknowledge, only the keys).
 */
export type BucketGrantAccess = 'read' | 'read-write' | 'put' | 'write';

const GRANT_ACTION_REASONS: Record<string, string> = {
  's3:GetObject*': 'The s3:GetObject* family of the CDK bucket grant reads objects with their versions, tags and retention',
  's3:GetBucket*': 'The s3:GetBucket* family of the CDK bucket grant reads bucket metadata (location, versioning) that S3 clients query before they read',
  's3:List*': 'The s3:List* family of the CDK bucket grant lists keys, which is how a whole prefix is downloaded',
  's3:DeleteObject*': 'The s3:DeleteObject* family of the CDK bucket grant replaces and cleans up what the holder writes',
  's3:Abort*': 'The s3:Abort* family of the CDK bucket grant aborts the holder\'s own multipart uploads of large files',
};

const ACTIONS_OF: Record<BucketGrantAccess, readonly string[]> = {
  read: ['s3:GetObject*', 's3:GetBucket*', 's3:List*'],
  'read-write': ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'],
  put: ['s3:Abort*'],
  write: [],
};

export interface BucketGrant {
  /** A bucket of the same stack, or one imported by name. */
  readonly bucket: IBucket;
  /** The key patterns the grant was scoped to, e.g. `split_dataset/*`; `*` for the whole bucket. */
  readonly keys: readonly string[];
  readonly access: BucketGrantAccess;
}

/**
 * Acknowledges the AwsSolutions-IAM5 findings that CDK's own bucket grants (`grantRead`, `grantReadWrite`,
 * `grantPut`) produce in `policy`: the action families of the grant and each key pattern it was scoped to.
 * `holder` says who holds the policy and why it needs the access, so each reason is specific to the role.
 */
export function acknowledgeBucketGrants(policy: IConstruct, holder: string, grants: readonly BucketGrant[]): void {
  const actions = new Set(grants.flatMap((g) => ACTIONS_OF[g.access]));
  for (const action of actions) {
    const buckets = grants.filter((g) => ACTIONS_OF[g.access].includes(action)).map((g) => nagBucket(g.bucket).name);
    acknowledge(policy, `AwsSolutions-IAM5[Action::${action}]`, `${GRANT_ACTION_REASONS[action]}; for ${holder} it applies only to the keys of ${[...new Set(buckets)].join(' and ')} listed in this policy.`);
  }
  for (const grant of grants) {
    const bucket = nagBucket(grant.bucket);
    for (const key of grant.keys.filter((k) => k.includes('*'))) {
      const where = key === '*' ? `anywhere in ${bucket.name}, a bucket dedicated to this use,` : `under ${key} in ${bucket.name}`;
      acknowledge(
        policy,
        `AwsSolutions-IAM5[Resource::${bucket.arn}/${key}]`,
        `The object names ${where} are only known at run time, so access for ${holder} is scoped to that key pattern rather than to single objects.`,
      );
    }
  }
}

/**
 * A bucket as cdk-nag writes its ARN in a finding id (`<LogicalId.Arn>` for a bucket of the same stack, the
 * literal ARN for one imported by name) and its literal name for reasons.
 */
function nagBucket(bucket: IBucket): { arn: string; name: string } {
  const cfn = bucket.node.defaultChild;
  if (cfn instanceof CfnBucket && typeof cfn.bucketName === 'string' && !Token.isUnresolved(cfn.bucketName)) {
    return { arn: `<${Stack.of(bucket).getLogicalId(cfn)}.Arn>`, name: cfn.bucketName };
  }
  if (cfn === undefined && !Token.isUnresolved(bucket.bucketArn) && !Token.isUnresolved(bucket.bucketName)) {
    return { arn: bucket.bucketArn, name: bucket.bucketName };
  }
  throw new Error(`cannot name ${bucket.node.path} in a cdk-nag acknowledgement: give it an explicit bucketName, or import it by name in a stack with a concrete account and region`);
}

/**
 * The two wildcards CDK gives every CodeBuild project's role: a log stream per build in the project's own log
 * group, and test report groups named after the project (CDK writes the project by its logical id).
 */
export function acknowledgeCodeBuildProjectGrants(policy: IConstruct, project: IConstruct, buildName: string): void {
  const stack = Stack.of(project);
  const id = `<${stack.getLogicalId(project.node.defaultChild as CfnElement)}>`;
  acknowledge(
    policy,
    `AwsSolutions-IAM5[Resource::arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:/aws/codebuild/${id}:*]`,
    `CodeBuild writes each build of ${buildName} to a new log stream of the project's own log group, named per build.`,
  );
  acknowledge(
    policy,
    `AwsSolutions-IAM5[Resource::arn:${stack.partition}:codebuild:${stack.region}:${stack.account}:report-group/${id}-*]`,
    `CDK lets every CodeBuild project create test report groups named after the project; the pattern covers those of ${buildName} only.`,
  );
}
