import { DescribeMlflowAppCommand, DescribeMlflowTrackingServerCommand, DescribeModelPackageGroupCommand, DescribePipelineCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import * as z from 'zod';
import { probeAnswer, probeCall } from './probe-call.ts';
import type { ServiceErrorInfo } from '../sdk-errors.ts';

// Real SageMaker answers ResourceNotFound for a missing pipeline; moto a ValidationException "Could not find
// pipeline with PipelineName X". A missing model package group is a ValidationException "... does not exist." on both.
const pipelineMissing = (info: ServiceErrorInfo): boolean => info.name === 'ResourceNotFound' || (info.name === 'ValidationException' && /^Could not find pipeline with /.test(info.message));
const groupMissing = (info: ServiceErrorInfo): boolean => info.name === 'ResourceNotFound' || (info.name === 'ValidationException' && /does not exist/.test(info.message));
const resourceMissing = (info: ServiceErrorInfo): boolean => info.name === 'ResourceNotFound';

const pipelineSchema = z.object({ PipelineStatus: z.string().min(1) });
const groupSchema = z.object({ ModelPackageGroupStatus: z.string().min(1) });
const appSchema = z.object({ Status: z.string().min(1) });
const trackingServerSchema = z.object({ TrackingServerStatus: z.string().min(1), IsActive: z.string().nullish() });

/** The pipeline's PipelineStatus (Active, Deleting); undefined when it does not exist. */
export async function pipelineStatus(sagemaker: SageMakerClient, pipelineName: string): Promise<string | undefined> {
  const answer = await probeCall('DescribePipeline', () => sagemaker.send(new DescribePipelineCommand({ PipelineName: pipelineName })), pipelineMissing);
  return answer === undefined ? undefined : probeAnswer('DescribePipeline', pipelineSchema, answer).PipelineStatus;
}

/** The group's ModelPackageGroupStatus (Completed, ...); undefined when it does not exist. */
export async function modelPackageGroupStatus(sagemaker: SageMakerClient, groupName: string): Promise<string | undefined> {
  const answer = await probeCall('DescribeModelPackageGroup', () => sagemaker.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: groupName })), groupMissing);
  return answer === undefined ? undefined : probeAnswer('DescribeModelPackageGroup', groupSchema, answer).ModelPackageGroupStatus;
}

/** An MLflow App's Status (Created, Updated, Creating, CreateFailed, ...); undefined when no App has that ARN. */
export async function mlflowAppStatus(sagemaker: SageMakerClient, appArn: string): Promise<string | undefined> {
  const answer = await probeCall('DescribeMlflowApp', () => sagemaker.send(new DescribeMlflowAppCommand({ Arn: appArn })), resourceMissing);
  return answer === undefined ? undefined : probeAnswer('DescribeMlflowApp', appSchema, answer).Status;
}

export interface TrackingServerState {
  /** Created, Stopped, Starting, CreateFailed, ... */
  status: string;
  /** Active or Inactive. */
  isActive?: string;
}

/** An MLflow tracking server's status; undefined when none has that name. */
export async function mlflowTrackingServerState(sagemaker: SageMakerClient, serverName: string): Promise<TrackingServerState | undefined> {
  const answer = await probeCall('DescribeMlflowTrackingServer', () => sagemaker.send(new DescribeMlflowTrackingServerCommand({ TrackingServerName: serverName })), resourceMissing);
  if (answer === undefined) return undefined;
  const state = probeAnswer('DescribeMlflowTrackingServer', trackingServerSchema, answer);
  return { status: state.TrackingServerStatus, ...(state.IsActive ? { isActive: state.IsActive } : {}) };
}
