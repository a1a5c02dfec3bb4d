import { invocationAnswerSchema, refusalSchema, type InvocationAnswer } from '../../core/serving/invocation-answer.ts';

/** What one request came back with: the server's JSON as sent (`body`), and the detections when it answered them. */
export type InvocationResult =
  | { ok: true; status: number; body: unknown; answer: InvocationAnswer }
  | { ok: false; status: number; body: unknown; reason: string };

/**
 * Judges what the inference server answered (its status and body), however it was reached: over HTTP from
 * `yolops serve`, or through SageMaker Runtime, which hands the container's status and body on.
 */
export function judgeInvocation(status: number, text: string): InvocationResult {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, status, body: text, reason: `answered ${status} with a body that is not JSON: ${oneLine(text)}` };
  }
  if (status < 200 || status > 299) {
    const refusal = refusalSchema.safeParse(body);
    return { ok: false, status, body, reason: refusal.success ? refusal.data.error : `answered ${status}: ${oneLine(text)}` };
  }
  const answer = invocationAnswerSchema.safeParse(body);
  if (!answer.success) return { ok: false, status, body, reason: `answered ${status} with JSON that is not a yolops inference answer: ${answer.error.issues[0]?.path.join('.')}: ${answer.error.issues[0]?.message}` };
  return { ok: true, status, body, answer: answer.data };
}

function oneLine(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}...` : flat;
}
