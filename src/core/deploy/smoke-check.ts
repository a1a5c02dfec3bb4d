import { invocationAnswerSchema, refusalSchema } from '../serving/invocation-answer.ts';
import { SMOKE_IMAGE_SIZE } from './smoke-image.ts';

/** What the endpoint answered to the smoke image, as the runtime client saw it. */
export interface SmokeAnswer {
  contentType: string | undefined;
  body: Uint8Array;
  /** Round trip of the InvokeEndpoint call, in ms. */
  latencyMs: number;
}

export type SmokeVerdict =
  | { ok: true; latencyMs: number; inferenceMs: number; detections: number; servedModel: string }
  | { ok: false; latencyMs: number; reason: string };

/**
 * Judges the answer to the smoke image: JSON of the shape src/core/serving/invocation-answer.ts describes, one
 * prediction, for an image of the size that was sent. Any other answer fails the smoke test, with the reason.
 */
export function judgeSmokeAnswer(answer: SmokeAnswer): SmokeVerdict {
  const { latencyMs } = answer;
  const text = new TextDecoder().decode(answer.body);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, latencyMs, reason: `the answer is not JSON (${answer.contentType ?? 'no content type'}): ${clip(text)}` };
  }
  const refusal = refusalSchema.safeParse(json);
  if (refusal.success) return { ok: false, latencyMs, reason: `the server refused the image: ${refusal.data.error}` };
  const parsed = invocationAnswerSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(answer)'}: ${i.message}`);
    return { ok: false, latencyMs, reason: `the answer is not an inference answer: ${problems.join('; ')}` };
  }
  const predictions = parsed.data.predictions;
  const [first] = predictions;
  if (predictions.length !== 1 || first === undefined) return { ok: false, latencyMs, reason: `one image was sent, ${predictions.length} predictions came back` };
  if (first.width !== SMOKE_IMAGE_SIZE || first.height !== SMOKE_IMAGE_SIZE) {
    return { ok: false, latencyMs, reason: `a ${SMOKE_IMAGE_SIZE}x${SMOKE_IMAGE_SIZE} image was sent, the answer is for ${first.width}x${first.height}` };
  }
  return { ok: true, latencyMs, inferenceMs: parsed.data.inference_ms, detections: first.detections.length, servedModel: parsed.data.model.version };
}

function clip(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 200)}...` : line || '(empty)';
}
