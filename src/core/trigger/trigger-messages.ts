import * as z from 'zod';

/**
 * What arrives on the trigger's queue: S3 "Object Created" events that EventBridge forwards (the whole event is
 * the message body), and the trigger's own rechecks of a version it must look at again later.
 */
const s3ObjectCreatedSchema = z.object({
  source: z.literal('aws.s3'),
  'detail-type': z.literal('Object Created'),
  detail: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({ key: z.string().min(1), size: z.number().optional(), etag: z.string().optional() }),
  }),
});

const RECHECK = 'yolops.trigger.recheck';
const recheckSchema = z.strictObject({ type: z.literal(RECHECK), bucket: z.string().min(1), versionRoot: z.string().min(1) });

export type TriggerMessage = { kind: 'object'; bucket: string; key: string } | { kind: 'recheck'; bucket: string; versionRoot: string };

export function recheckMessageBody(bucket: string, versionRoot: string): string {
  return JSON.stringify({ type: RECHECK, bucket, versionRoot });
}

/** The message, or why it is not one the trigger understands (such a message goes to the dead-letter queue). */
export function parseTriggerMessage(body: string): TriggerMessage | { kind: 'unreadable'; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    return { kind: 'unreadable', reason: `the body is not JSON (${(error as Error).message})` };
  }
  const event = s3ObjectCreatedSchema.safeParse(json);
  if (event.success) return { kind: 'object', bucket: event.data.detail.bucket.name, key: event.data.detail.object.key };
  const recheck = recheckSchema.safeParse(json);
  if (recheck.success) return { kind: 'recheck', bucket: recheck.data.bucket, versionRoot: recheck.data.versionRoot };
  const issue = event.error.issues[0];
  return { kind: 'unreadable', reason: `neither an S3 Object Created event nor a recheck (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'unknown shape'})` };
}
