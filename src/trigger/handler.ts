import type { EventBridgeEvent } from 'aws-lambda';

/** What EventBridge delivers for an S3 `Object Created` event (the parts the trigger will read). */
export interface S3ObjectCreatedDetail {
  bucket: { name: string };
  object: { key: string; size?: number; etag?: string; sequencer?: string };
}

export const NOT_IMPLEMENTED_MESSAGE = 'the S3 training trigger has no handler yet';

/**
 * Placeholder of the S3 training trigger: no upload starts a training yet (start executions with
 * StartPipelineExecution, docs/aws-deploy.md). It fails loudly on every event so that an upload never looks as if
 * it had started a training: the invocation errors, the trigger-errors alarm notifies the SNS topic, and the
 * log names the object that arrived.
 */
export async function handler(event: EventBridgeEvent<'Object Created', S3ObjectCreatedDetail>): Promise<never> {
  const where = `s3://${event.detail?.bucket?.name ?? '?'}/${event.detail?.object?.key ?? '?'}`;
  throw new Error(`${NOT_IMPLEMENTED_MESSAGE}: no training was started for ${where}`);
}
