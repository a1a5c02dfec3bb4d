import { crc32, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { judgeSmokeAnswer } from '../../../../src/core/deploy/smoke-check.ts';
import { smokeImage, SMOKE_IMAGE_SIZE } from '../../../../src/core/deploy/smoke-image.ts';
import { endpointStatusOf, judgeRollout, type StageDeployment, type StageState } from '../../../../src/core/deploy/stage-state.ts';

/** The PNG's chunks, each checked against its CRC. */
function chunks(png: Uint8Array): { type: string; data: Buffer }[] {
  const bytes = Buffer.from(png);
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const found: { type: string; data: Buffer }[] = [];
  for (let at = 8; at < bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.subarray(at + 4, at + 8).toString('latin1');
    const data = bytes.subarray(at + 8, at + 8 + length);
    expect(bytes.readUInt32BE(at + 8 + length), `CRC of ${type}`).toBe(crc32(bytes.subarray(at + 4, at + 8 + length)));
    found.push({ type, data });
    at += 12 + length;
  }
  return found;
}

describe('smokeImage', () => {
  it('is a valid 64 x 64 RGB PNG, a red square on grey, the same bytes every time', () => {
    const png = smokeImage();
    expect(Buffer.from(smokeImage()).equals(Buffer.from(png))).toBe(true);
    const parts = chunks(png);
    expect(parts.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    const ihdr = parts[0]?.data as Buffer;
    expect([ihdr.readUInt32BE(0), ihdr.readUInt32BE(4), ihdr[8], ihdr[9]]).toEqual([SMOKE_IMAGE_SIZE, SMOKE_IMAGE_SIZE, 8, 2]);
    const rows = inflateSync(parts[1]?.data as Buffer);
    const stride = 1 + SMOKE_IMAGE_SIZE * 3;
    expect(rows.length).toBe(SMOKE_IMAGE_SIZE * stride);
    const pixel = (x: number, y: number): number[] => [...rows.subarray(y * stride + 1 + x * 3, y * stride + 4 + x * 3)];
    expect(pixel(0, 0)).toEqual([200, 200, 200]);
    expect(pixel(32, 32)).toEqual([220, 30, 30]);
    expect(png.length).toBeLessThan(1024);
  });
});

const answer = (value: unknown, latencyMs = 42): Parameters<typeof judgeSmokeAnswer>[0] => ({ contentType: 'application/json', body: new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value)), latencyMs });
const good = {
  model: { version: 'sha256:0123456789abcdef', mlflow_run_id: null, runtime: 'torch' },
  inference_ms: 12.5,
  options: { conf: 0.25, imgsz: 640 },
  predictions: [{ width: 64, height: 64, detections: [{ class_id: 0, class_name: 'red-square', score: 0.9, box: { x1: 20, y1: 20, x2: 44, y2: 44 }, box_normalized: { x_center: 0.5, y_center: 0.5, width: 0.375, height: 0.375 } }] }],
};

describe('judgeSmokeAnswer', () => {
  it('passes an inference answer for the image sent, with its latency, inference time and detections', () => {
    expect(judgeSmokeAnswer(answer(good))).toEqual({ ok: true, latencyMs: 42, inferenceMs: 12.5, detections: 1, servedModel: 'sha256:0123456789abcdef' });
  });

  it('fails anything else with the reason', () => {
    expect(judgeSmokeAnswer(answer('body'))).toEqual({ ok: false, latencyMs: 42, reason: 'the answer is not JSON (application/json): body' });
    expect(judgeSmokeAnswer(answer({ error: 'the model is loading' }))).toMatchObject({ ok: false, reason: 'the server refused the image: the model is loading' });
    expect(judgeSmokeAnswer(answer({ ...good, predictions: [] }))).toMatchObject({ ok: false, reason: expect.stringMatching(/^the answer is not an inference answer: predictions/) });
    expect(judgeSmokeAnswer(answer({ ...good, predictions: [good.predictions[0], good.predictions[0]] }))).toMatchObject({ ok: false, reason: 'one image was sent, 2 predictions came back' });
    expect(judgeSmokeAnswer(answer({ ...good, predictions: [{ ...good.predictions[0], width: 640 }] }))).toMatchObject({ ok: false, reason: 'a 64x64 image was sent, the answer is for 640x64' });
  });
});

describe('endpoint statuses', () => {
  it("read EventBridge's spelling (IN_SERVICE) as the API's (InService)", () => {
    expect(endpointStatusOf('IN_SERVICE')).toBe('InService');
    expect(endpointStatusOf('UPDATE_ROLLBACK_FAILED')).toBe('UpdateRollbackFailed');
    expect(endpointStatusOf('Failed')).toBe('Failed');
    expect(endpointStatusOf('SOMETHING_NEW')).toBeUndefined();
  });

  const A = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/g/1';
  const B = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/g/2';
  const deployment = (arn: string, version: number): StageDeployment => ({
    endpointConfigName: `c${version}`,
    modelName: `m${version}`,
    createdAt: undefined,
    version: { modelPackageArn: arn, modelPackageGroupName: 'g', version },
    instanceType: 'ml.m5.large',
    instanceCount: 1,
    serverless: undefined,
    dataCapturePercent: 20,
  });
  const state = (overrides: Partial<StageState>): StageState => ({ stage: 'production', endpointName: 'p', exists: true, status: 'InService', failureReason: undefined, current: deployment(A, 1), pending: undefined, lastModified: undefined, ...overrides });

  it('judge a rollout: in progress, deployed, rolled back with the reason, failed', () => {
    expect(judgeRollout(state({ status: 'Updating', pending: deployment(B, 2) }), B)).toEqual({ kind: 'in-progress', status: 'Updating' });
    expect(judgeRollout(state({ current: deployment(B, 2) }), B)).toEqual({ kind: 'deployed' });
    expect(judgeRollout(state({ failureReason: 'alarm yolops-production-5xx went off' }), B)).toEqual({ kind: 'rolled-back', reason: 'alarm yolops-production-5xx went off', serving: deployment(A, 1).version });
    expect(judgeRollout(state({ status: 'Failed', failureReason: 'image not found' }), B)).toEqual({ kind: 'failed', reason: 'image not found' });
    expect(judgeRollout(state({ exists: false }), B)).toEqual({ kind: 'failed', reason: 'the endpoint p is gone' });
  });
});
