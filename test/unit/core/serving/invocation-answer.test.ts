import { describe, expect, it } from 'vitest';
import { invocationAnswerSchema } from '../../../../src/core/serving/invocation-answer.ts';

const answer = (model: Record<string, unknown>) => ({
  model: { version: 'sha256:0123456789abcdef', mlflow_run_id: null, ...model },
  inference_ms: 8.5,
  options: { conf: 0.25, imgsz: 640 },
  predictions: [{ width: 640, height: 480, detections: [] }],
});

describe('invocationAnswerSchema: model.runtime', () => {
  it('takes the runtime that answered, torch or onnx', () => {
    expect(invocationAnswerSchema.parse(answer({ runtime: 'onnx' })).model.runtime).toBe('onnx');
    expect(invocationAnswerSchema.parse(answer({ runtime: 'torch' })).model.runtime).toBe('torch');
  });

  it('refuses auto (a setting, not what ran) and an answer without a runtime', () => {
    expect(invocationAnswerSchema.safeParse(answer({ runtime: 'auto' })).success).toBe(false);
    expect(invocationAnswerSchema.safeParse(answer({})).success).toBe(false);
  });
});
