import * as z from 'zod';

/**
 * The two EventBridge events the deployer is sent (automating-sagemaker-with-eventbridge.html): "SageMaker Model
 * Package State Change" (its detail is the model package as DescribeModelPackage has it) and "SageMaker Endpoint
 * State Change" (EndpointStatus spelled IN_SERVICE, FAILED, ...). Only the fields the deployer reads are checked.
 */
export const MODEL_PACKAGE_STATE_CHANGE = 'SageMaker Model Package State Change';
export const ENDPOINT_STATE_CHANGE = 'SageMaker Endpoint State Change';

const envelopeSchema = z.object({
  id: z.string().min(1),
  'detail-type': z.string().min(1),
  source: z.literal('aws.sagemaker'),
  time: z.iso.datetime({ offset: true }),
  detail: z.unknown(),
});

const approvalDetailSchema = z.object({
  ModelPackageGroupName: z.string().min(1),
  ModelPackageVersion: z.number().int().min(1),
  ModelPackageArn: z.string().min(1),
  ModelApprovalStatus: z.string().min(1),
});

const endpointDetailSchema = z.object({
  EndpointName: z.string().min(1),
  EndpointStatus: z.string().min(1),
  FailureReason: z.string().nullish(),
});

export type DeployerEvent =
  | { kind: 'model-package'; id: string; time: Date; group: string; version: number; modelPackageArn: string; approvalStatus: string }
  | { kind: 'endpoint-state'; id: string; time: Date; endpointName: string; status: string; failureReason: string | undefined };

/** The event, or a one-line reason it is not one the deployer handles. */
export function parseDeployerEvent(input: unknown): { event: DeployerEvent } | { problem: string } {
  const envelope = envelopeSchema.safeParse(input);
  if (!envelope.success) return { problem: `not a SageMaker EventBridge event: ${issues(envelope.error)}` };
  const { id, time } = envelope.data;
  const at = new Date(time);
  const type = envelope.data['detail-type'];
  if (type === MODEL_PACKAGE_STATE_CHANGE) {
    const detail = approvalDetailSchema.safeParse(envelope.data.detail);
    if (!detail.success) return { problem: `a ${type} event without the fields the deployer needs: ${issues(detail.error)}` };
    const d = detail.data;
    return { event: { kind: 'model-package', id, time: at, group: d.ModelPackageGroupName, version: d.ModelPackageVersion, modelPackageArn: d.ModelPackageArn, approvalStatus: d.ModelApprovalStatus } };
  }
  if (type === ENDPOINT_STATE_CHANGE) {
    const detail = endpointDetailSchema.safeParse(envelope.data.detail);
    if (!detail.success) return { problem: `a ${type} event without the fields the deployer needs: ${issues(detail.error)}` };
    const d = detail.data;
    return { event: { kind: 'endpoint-state', id, time: at, endpointName: d.EndpointName, status: d.EndpointStatus, failureReason: d.FailureReason ?? undefined } };
  }
  return { problem: `the deployer does not handle "${type}" events` };
}

function issues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; ');
}
