import { Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { PREFIXES } from '../../core/naming.ts';
import type { StagedCodeBundle } from '../code-bundle.ts';
import type { EnvironmentPolicy } from '../environment.ts';
import { acknowledge, acknowledgeBucketGrants } from '../nag.ts';

export interface CodeBundleDeploymentProps {
  /** The training data bucket; the bundle goes to `code/{version}/`. */
  readonly bucket: IBucket;
  readonly bundle: StagedCodeBundle;
  readonly environment: EnvironmentPolicy;
}

/**
 * Uploads the staged code bundle to `s3://{bucket}/code/{version}/` at deploy time: the layout `yolops code
 * bundle` prints the upload command for, so the pipeline's default CodeUri and CodeVersion name code that exists.
 * A new version goes to a new prefix beside the old ones (no pruning, nothing deleted when the version changes):
 * executions still running, and the registry's CodeVersion of older models, keep pointing at their code.
 */
export class CodeBundleDeployment extends Construct {
  readonly deployment: BucketDeployment;
  readonly role: Role;
  /** `code/{version}/` */
  readonly keyPrefix: string;

  constructor(scope: Construct, id: string, props: CodeBundleDeploymentProps) {
    super(scope, id);
    this.keyPrefix = `${PREFIXES.code}${props.bundle.version}/`;
    const codeKeys = `${PREFIXES.code}*`;

    const logGroup = new LogGroup(this, 'Logs', { retention: props.environment.logRetention, removalPolicy: props.environment.removalPolicy });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Uploads the training code bundle to ${codeKeys} of ${props.bucket.bucketName} during cdk deploy`,
    });
    logGroup.grantWrite(this.role);

    const asset = new Asset(this, 'Bundle', { path: props.bundle.directory });
    // The handler copies the asset's zip with `aws s3 cp` (HeadObject and GetObject: s3:GetObject on that one key).
    this.role.addToPolicy(new PolicyStatement({ sid: 'ReadBundleAsset', actions: ['s3:GetObject'], resources: [asset.bucket.arnForObjects(asset.s3ObjectKey)] }));
    // Then `aws s3 sync` lists the destination prefix and puts what is missing (multipart parts count as
    // PutObject). No prune and retainOnDelete: it never deletes.
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'ListCodePrefix',
        actions: ['s3:ListBucket'],
        resources: [props.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [codeKeys] } },
      }),
    );
    this.role.addToPolicy(new PolicyStatement({ sid: 'WriteCode', actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resources: [props.bucket.arnForObjects(codeKeys)] }));

    this.deployment = new BucketDeployment(this, 'Deployment', {
      sources: [Source.bucket(asset.bucket, asset.s3ObjectKey)],
      destinationBucket: props.bucket,
      destinationKeyPrefix: this.keyPrefix,
      extract: true,
      prune: false,
      retainOnDelete: true,
      // The bundle is tens of kilobytes: the AWS CLI in the handler needs more memory than the files; the
      // default 512 MB of /tmp holds them many times over.
      memoryLimit: 256,
      // BucketDeployment grants its handler read and write on the whole destination bucket and read on the
      // whole asset bucket; the statements above are all this role needs, so its own grants are dropped.
      role: this.role.withoutPolicyUpdates(),
      logGroup,
    });

    acknowledgeBucketGrants(this.role.node.findChild('DefaultPolicy'), 'the code bundle upload of cdk deploy', [{ bucket: props.bucket, keys: [codeKeys], access: 'write' }]);
    // BucketDeployment puts its handler, a singleton per memory size, at the root of the stack.
    const handler = Stack.of(this).node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (handler !== undefined) {
      acknowledge(
        handler,
        'AwsSolutions-L1',
        'The handler is aws-cdk-lib\'s BucketDeployment function with its AWS CLI layer, which aws-cdk-lib pins to Python 3.13, a supported Lambda runtime, and tests on it; it runs only during cdk deploy, with this construct\'s role.',
      );
    }
  }
}
