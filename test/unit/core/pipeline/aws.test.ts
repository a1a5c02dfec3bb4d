import { RegionInfo } from 'aws-cdk-lib/region-info';
import { describe, expect, it } from 'vitest';
import { AWS_REGIONS } from '../../../../src/core/config/regions.ts';
import {
  DLC_REGISTRY_ACCOUNTS,
  dlcImageUri,
  dnsSuffixOf,
  mlflowAppArnPlaceholder,
  mlflowTrackingServerArn,
  partitionOf,
  pytorchTrainingImageUri,
  sagemakerExecutionRoleArn,
} from '../../../../src/core/pipeline/index.ts';

describe('AWS Deep Learning Container image URIs', () => {
  it('uses the shared registry in most regions and the regional ones elsewhere', () => {
    expect(pytorchTrainingImageUri('us-east-1', '2.6.0-gpu')).toBe('763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.6.0-gpu');
    expect(pytorchTrainingImageUri('af-south-1', 't')).toBe('626614931356.dkr.ecr.af-south-1.amazonaws.com/pytorch-training:t');
    expect(pytorchTrainingImageUri('ap-east-1', 't')).toBe('871362719292.dkr.ecr.ap-east-1.amazonaws.com/pytorch-training:t');
    expect(pytorchTrainingImageUri('me-south-1', 't')).toBe('217643126080.dkr.ecr.me-south-1.amazonaws.com/pytorch-training:t');
    expect(pytorchTrainingImageUri('eu-south-1', 't')).toBe('692866216735.dkr.ecr.eu-south-1.amazonaws.com/pytorch-training:t');
    expect(pytorchTrainingImageUri('us-gov-west-1', 't')).toBe('442386744353.dkr.ecr.us-gov-west-1.amazonaws.com/pytorch-training:t');
  });

  it('uses the .amazonaws.com.cn suffix in China', () => {
    expect(dlcImageUri('cn-north-1', 'pytorch-training', 't')).toBe('727897471807.dkr.ecr.cn-north-1.amazonaws.com.cn/pytorch-training:t');
    expect(dlcImageUri('cn-northwest-1', 'pytorch-training', 't')).toBe('727897471807.dkr.ecr.cn-northwest-1.amazonaws.com.cn/pytorch-training:t');
  });

  it('has a 12-digit account for every region yolops accepts', () => {
    expect(Object.keys(DLC_REGISTRY_ACCOUNTS).sort()).toEqual([...AWS_REGIONS].sort());
    for (const account of Object.values(DLC_REGISTRY_ACCOUNTS)) expect(account).toMatch(/^\d{12}$/);
  });

  it('agrees with aws-cdk-lib on partitions, DNS suffixes and the DLC accounts it knows', () => {
    for (const region of AWS_REGIONS) {
      const info = RegionInfo.get(region);
      expect(partitionOf(region), region).toBe(info.partition);
      expect(dnsSuffixOf(region), region).toBe(info.domainSuffix);
      if (info.dlcRepositoryAccount !== undefined) expect(DLC_REGISTRY_ACCOUNTS[region], region).toBe(info.dlcRepositoryAccount);
    }
  });
});

describe('ARNs written out from cdk.json', () => {
  const context = { aws_account_id: '123456789012', project_name: 'yolops' } as const;

  it('names the SageMaker execution role and the MLflow server in the region\'s partition', () => {
    expect(sagemakerExecutionRoleArn({ ...context, aws_region: 'eu-west-1' })).toBe('arn:aws:iam::123456789012:role/yolops-sagemaker-execution-role');
    expect(sagemakerExecutionRoleArn({ ...context, aws_region: 'cn-north-1' })).toBe('arn:aws-cn:iam::123456789012:role/yolops-sagemaker-execution-role');
    expect(mlflowTrackingServerArn({ ...context, aws_region: 'us-gov-east-1', mlflow: 'tracking-server' })).toBe('arn:aws-us-gov:sagemaker:us-gov-east-1:123456789012:mlflow-tracking-server/yolops-mlflow');
  });

  it('stands an ARN-shaped placeholder for an MLflow App (the default), whose id SageMaker only makes at creation', () => {
    const eu = { ...context, aws_region: 'eu-west-1' } as const;
    expect(mlflowTrackingServerArn(eu)).toBe(mlflowAppArnPlaceholder(eu));
    expect(mlflowTrackingServerArn({ ...eu, mlflow: 'app' })).toBe('arn:aws:sagemaker:eu-west-1:123456789012:mlflow-app/{id-of-yolops-mlflow-set-at-deploy}');
  });
});
