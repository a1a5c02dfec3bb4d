import type { CdkContext } from '../../config/cdk-context.ts';
import type { AwsRegion } from '../../config/regions.ts';
import { resourceNames } from '../../naming.ts';
import { join, type StringValue } from '../dsl/values.ts';
import { dnsSuffixOf } from './partition.ts';

/**
 * The account whose ECR registry serves AWS Deep Learning Containers in each region. Most regions use
 * 763104351884; opt-in regions, China and GovCloud have their own. Taken from the SageMaker Python SDK's
 * image_uri_config/pytorch.json (v2.257, PyTorch 2.6-2.8 training images). A full table, not a list of
 * exceptions, so that adding a region to AWS_REGIONS fails type checking here until its account is known.
 */
export const DLC_REGISTRY_ACCOUNTS: Readonly<Record<AwsRegion, string>> = {
  'af-south-1': '626614931356',
  'ap-east-1': '871362719292',
  'ap-east-2': '975050140332',
  'ap-northeast-1': '763104351884',
  'ap-northeast-2': '763104351884',
  'ap-northeast-3': '364406365360',
  'ap-south-1': '763104351884',
  'ap-south-2': '772153158452',
  'ap-southeast-1': '763104351884',
  'ap-southeast-2': '763104351884',
  'ap-southeast-3': '907027046896',
  'ap-southeast-4': '457447274322',
  'ap-southeast-5': '550225433462',
  'ap-southeast-6': '633930458069',
  'ap-southeast-7': '590183813437',
  'ca-central-1': '763104351884',
  'ca-west-1': '204538143572',
  'cn-north-1': '727897471807',
  'cn-northwest-1': '727897471807',
  'eu-central-1': '763104351884',
  'eu-central-2': '380420809688',
  'eu-north-1': '763104351884',
  'eu-south-1': '692866216735',
  'eu-south-2': '503227376785',
  'eu-west-1': '763104351884',
  'eu-west-2': '763104351884',
  'eu-west-3': '763104351884',
  'il-central-1': '780543022126',
  'me-central-1': '914824155844',
  'me-south-1': '217643126080',
  'mx-central-1': '637423239942',
  'sa-east-1': '763104351884',
  'us-east-1': '763104351884',
  'us-east-2': '763104351884',
  'us-gov-east-1': '446045086412',
  'us-gov-west-1': '442386744353',
  'us-west-1': '763104351884',
  'us-west-2': '763104351884',
};

/** `{account}.dkr.ecr.{region}.amazonaws.com[.cn]/{repository}:{tag}` of an AWS Deep Learning Container. */
export function dlcImageUri(region: AwsRegion, repository: string, tag: string): string {
  return `${DLC_REGISTRY_ACCOUNTS[region]}.dkr.ecr.${region}.${dnsSuffixOf(region)}/${repository}:${tag}`;
}

/** The AWS PyTorch training container (script mode) with `tag`, e.g. `2.6.0-gpu-py312-cu126-ubuntu22.04-sagemaker`. */
export function pytorchTrainingImageUri(region: AwsRegion, tag: string): string {
  return dlcImageUri(region, 'pytorch-training', tag);
}

type InferenceImageContext = Pick<CdkContext, 'aws_account_id' | 'aws_region' | 'project_name'>;

/**
 * The inference image of a code version: `{account}.dkr.ecr.{region}.{dnsSuffix}/{p}-inference:{version}`, built
 * from that version's training/ (Dockerfile included) by the CodeBuild project `inferenceImageProject`, which
 * `yolops code push --target aws` starts. The version is usually the CodeVersion parameter, so the tag is joined
 * when the execution starts.
 */
export function inferenceImageUri(context: InferenceImageContext, version: string): string;
export function inferenceImageUri(context: InferenceImageContext, version: StringValue): StringValue;
export function inferenceImageUri(context: InferenceImageContext, version: StringValue): StringValue {
  const repository = `${context.aws_account_id}.dkr.ecr.${context.aws_region}.${dnsSuffixOf(context.aws_region)}/${resourceNames(context).inferenceImageRepository}`;
  return typeof version === 'string' ? `${repository}:${version}` : join([`${repository}:`, version]);
}
