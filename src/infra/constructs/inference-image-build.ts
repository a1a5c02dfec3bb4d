import { Duration } from 'aws-cdk-lib';
import { BuildSpec, ComputeType, LinuxBuildImage, Project, Source } from 'aws-cdk-lib/aws-codebuild';
import { type CfnRepository, Repository, TagMutability, TagStatus } from 'aws-cdk-lib/aws-ecr';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { INFERENCE_IMAGE_TAG_VARIABLE, PREFIXES } from '../../core/naming.ts';
import type { EnvironmentPolicy } from '../environment.ts';
import { acknowledge, acknowledgeBucketGrants, acknowledgeCodeBuildProjectGrants } from '../nag.ts';

/** The tag to push: the code version, given per build with StartBuild. */
const IMAGE_TAG_VARIABLE = INFERENCE_IMAGE_TAG_VARIABLE;

/**
 * Untagged images are layers of a push that did not finish, or images a tag no longer points at; tags are
 * immutable, so nothing else becomes untagged. A few stay for inspection, the rest expire.
 */
const UNTAGGED_IMAGES_KEPT = 5;

/** What `code/{version}/` holds: training/ packed as the pipeline runs it (src/local/code-bundle.ts). */
const CODE_ARCHIVE = 'sourcedir.tar.gz';

export interface InferenceImageBuildProps {
  readonly repositoryName: string;
  readonly projectName: string;
  readonly logGroupName: string;
  /** The training data bucket: the project reads the code bundles under `code/` there, nothing else. */
  readonly trainingDataBucket: IBucket;
  readonly environment: EnvironmentPolicy;
}

/**
 * The inference image, built in AWS from the very code bundle a training ran: an ECR repository whose tags are
 * code versions (immutable, scanned on push), and a CodeBuild project that turns `code/{version}/sourcedir.tar.gz`
 * into `{repository}:{version}`. Nobody builds it on their own machine: `yolops code push --target aws` starts a
 * build per version with StartBuild(sourceTypeOverride S3, sourceLocationOverride `{bucket}/code/{version}/`,
 * IMAGE_TAG = version). The project's default source (`code/`) is never built: without IMAGE_TAG the build stops.
 */
export class InferenceImageBuild extends Construct {
  readonly repository: Repository;
  readonly project: Project;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: InferenceImageBuildProps) {
    super(scope, id);
    const destroy = props.environment.removalPolicy;
    this.repository = new Repository(this, 'Repository', {
      repositoryName: props.repositoryName,
      imageScanOnPush: true,
      // A tag is a code version: the image a model version was registered with can never change under it.
      imageTagMutability: TagMutability.IMMUTABLE,
      lifecycleRules: [{ description: `Keep at most ${UNTAGGED_IMAGES_KEPT} untagged images`, tagStatus: TagStatus.UNTAGGED, maxImageCount: UNTAGGED_IMAGES_KEPT }],
      removalPolicy: destroy,
      // CloudFormation's own EmptyOnDelete: a sandbox's `cdk destroy` removes the images with the repository.
      emptyOnDelete: props.environment.autoDeleteObjects,
    });
    // CDK leaves out ECR's default encryption; written out, the template says what it is and keeps it so.
    (this.repository.node.defaultChild as CfnRepository).encryptionConfiguration = { encryptionType: 'AES256' };

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('codebuild.amazonaws.com'),
      description: `Runs ${props.projectName}: reads code bundles under ${PREFIXES.code} and pushes inference images to ${props.repositoryName}`,
    });
    const codeBundles = `${PREFIXES.code}*`;
    props.trainingDataBucket.grantRead(this.role, codeBundles);
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'PushInferenceImages',
        // DescribeImages: a version whose image exists already is not built again (its tag cannot be overwritten).
        actions: ['ecr:BatchCheckLayerAvailability', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage', 'ecr:DescribeImages'],
        resources: [this.repository.repositoryArn],
      }),
    );
    this.role.addToPolicy(new PolicyStatement({ sid: 'LogInToEcr', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));

    this.logGroup = new LogGroup(this, 'LogGroup', { logGroupName: props.logGroupName, retention: props.environment.logRetention, removalPolicy: destroy });
    this.project = new Project(this, 'Project', {
      projectName: props.projectName,
      description: `Builds the inference image ${props.repositoryName}:<code version> from ${CODE_ARCHIVE} of a code bundle (started per version by yolops code push --target aws)`,
      role: this.role,
      source: Source.s3({ bucket: props.trainingDataBucket, path: PREFIXES.code }),
      buildSpec: inferenceImageBuildSpec(),
      environment: {
        // A pinned major version of CodeBuild's own image, x86_64: the hosting instances are linux/amd64.
        buildImage: LinuxBuildImage.STANDARD_7_0,
        // Installing torch and its CUDA libraries in the image needs more than the small type's 3 GB of memory.
        computeType: ComputeType.MEDIUM,
        // Docker inside the build container needs it.
        privileged: true,
        environmentVariables: {
          REPOSITORY_URI: { value: this.repository.repositoryUri },
          REPOSITORY_NAME: { value: props.repositoryName },
        },
      },
      timeout: Duration.minutes(60),
      queuedTimeout: Duration.hours(2),
      logging: { cloudWatch: { logGroup: this.logGroup } },
    });

    const policy = this.role.node.findChild('DefaultPolicy');
    acknowledgeBucketGrants(policy, `the ${props.projectName} build, which unpacks the code bundle of the version it builds,`, [
      { bucket: props.trainingDataBucket, keys: [codeBundles], access: 'read' },
    ]);
    acknowledge(policy, 'AwsSolutions-IAM5[Resource::*]', 'The ECR registry login (ecr:GetAuthorizationToken) does not support resource-level permissions; pushes are limited to the one inference repository.');
    acknowledgeCodeBuildProjectGrants(policy, this.project, props.projectName);
    acknowledge(
      this.project,
      'AwsSolutions-CB4',
      `The ${props.projectName} build writes no artifacts: its one output is the image in ${props.repositoryName}, encrypted by ECR, so a customer managed KMS key for artifacts would protect nothing.`,
    );
  }
}

/**
 * The inline buildspec: one script, so that a check can end the build without CodeBuild running the next
 * commands. It refuses to run without IMAGE_TAG (the default source is all versions at once), unpacks the
 * bundle, and builds the image from the bundle's own Dockerfile for linux/amd64, unless that tag exists already.
 */
export function inferenceImageBuildSpec(): BuildSpec {
  const script = [
    'set -euo pipefail',
    `if [ -z "\${${IMAGE_TAG_VARIABLE}:-}" ]; then`,
    `  echo "${IMAGE_TAG_VARIABLE} is not set: start a build per code version with sourceLocationOverride <bucket>/${PREFIXES.code}<version>/ and ${IMAGE_TAG_VARIABLE}=<version> (yolops code push --target aws does)" >&2`,
    '  exit 1',
    'fi',
    `if ! printf '%s' "$${IMAGE_TAG_VARIABLE}" | grep -Eq '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$'; then`,
    `  echo "${IMAGE_TAG_VARIABLE}=$${IMAGE_TAG_VARIABLE} is not a valid image tag (letters, digits, _ . -, at most 128)" >&2`,
    '  exit 1',
    'fi',
    `if [ ! -f ${CODE_ARCHIVE} ]; then`,
    `  echo "no ${CODE_ARCHIVE} in the build's source (\${CODEBUILD_SOURCE_REPO_URL:-its default location}): is the code bundle $${IMAGE_TAG_VARIABLE} uploaded (yolops code push --target aws)?" >&2`,
    '  exit 1',
    'fi',
    `if aws ecr describe-images --repository-name "$REPOSITORY_NAME" --image-ids imageTag="$${IMAGE_TAG_VARIABLE}" > /dev/null 2>&1; then`,
    `  echo "$REPOSITORY_URI:$${IMAGE_TAG_VARIABLE} exists already (tags are immutable): nothing to build"`,
    'else',
    '  mkdir -p context',
    `  tar -xzf ${CODE_ARCHIVE} -C context`,
    '  if [ ! -f context/Dockerfile ]; then',
    `    echo "${CODE_ARCHIVE} of $${IMAGE_TAG_VARIABLE} holds no Dockerfile at its root: it must be training/ packed by yolops code bundle" >&2`,
    '    exit 1',
    '  fi',
    '  aws ecr get-login-password --region "$AWS_REGION" | docker login --username AWS --password-stdin "${REPOSITORY_URI%%/*}"',
    `  docker build --platform linux/amd64 --label "org.opencontainers.image.version=$${IMAGE_TAG_VARIABLE}" -t "$REPOSITORY_URI:$${IMAGE_TAG_VARIABLE}" context`,
    `  docker push "$REPOSITORY_URI:$${IMAGE_TAG_VARIABLE}"`,
    'fi',
  ].join('\n');
  return BuildSpec.fromObjectToYaml({
    version: '0.2',
    env: { shell: 'bash' },
    phases: { build: { commands: [script] } },
  });
}
