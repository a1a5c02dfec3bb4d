// `npm run demo`'s work on a fresh local root: the sample dataset into the training-data bucket, the whole
// pipeline with training-config.json's local settings, a registered model at the end.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';

const repo = new URL('../../..', import.meta.url).pathname;
const home = mkdtempSync(join(tmpdir(), 'yolops-demo-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

it('trains, evaluates, passes the gate and registers version 1, and says where everything is', () => {
  const result = spawnSync(process.execPath, [join(repo, 'bin', 'yolops.js'), 'demo'], {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, YOLOPS_HOME: home, YOLO_OFFLINE: 'true', OMP_NUM_THREADS: '2', MLFLOW_TRACKING_URI: '' },
  });
  expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
  const out = result.stdout;
  expect(out).toMatch(/^execution [a-z0-9]{12} \(yolops-yolo-training-pipeline\): Succeeded in /m);
  for (const step of ['Train', 'Evaluate', 'QualityGate', 'Register']) expect(out).toMatch(new RegExp(`^${step}\\s+\\S+\\s+Succeeded\\s+\\d`, 'm'));
  const map = Number(/mAP50-95 (\d\.\d+)/.exec(out)?.[1]);
  expect(map).toBeGreaterThan(0.25); // the local quality threshold: a real model, not a lucky zero
  expect(out).toMatch(/gate QualityGate: .* -> passed, ran Register/);
  expect(out).toMatch(/registered: yolops-yolo-models version 1 \(PendingManualApproval\)/);
  expect(out).toMatch(new RegExp(`model artifact: ${home}/buckets/yolops-model-artifacts-\\d{12}/pipelines/.*/model\\.tar\\.gz`));
  expect(out).toMatch(/MLflow run: +http:\/\/127\.0\.0\.1:\d+\/#\/experiments\/\d+\/runs\/[0-9a-f]{32}/);
  expect(result.stderr).toMatch(/epoch 15\/15/);
});
