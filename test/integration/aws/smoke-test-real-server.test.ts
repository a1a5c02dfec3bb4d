// The smoke test against the real inference server: a model trained here (a tiny run), served by training/serve,
// reached through SageMaker Runtime's InvokeEndpoint. SageMaker itself cannot run here, and moto only has canned
// answers, so a loopback server speaks SageMaker Runtime's route (POST /endpoints/{name}/invocations) and passes
// each request on to the model server's /invocations, as SageMaker hosting does.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smokeTestEndpoint } from '../../../src/aws/deployment/endpoint-smoke-test.ts';
import { SMOKE_IMAGE_CONTENT_TYPE } from '../../../src/core/deploy/smoke-image.ts';
import { localLayout, REPO_ROOT } from '../../../src/local/layout.ts';
import { pythonEnvironment } from '../../../src/local/python-env.ts';
import { LocalModelRegistry } from '../../../src/local/registry/model-registry.ts';
import { startModelServer, type ModelServer } from '../../../src/local/serving/model-server.ts';
import { localArtifactPath } from '../../../src/local/serving/serve-version.ts';
import { MOTO_REGION } from './moto.ts';

const work = mkdtempSync(join(tmpdir(), 'yolops-smoke-'));
const home = join(work, 'home');
const env = { ...process.env, YOLOPS_HOME: home, YOLO_OFFLINE: 'true', OMP_NUM_THREADS: '2', MLFLOW_TRACKING_URI: '', YOLOPS_DEBUG: '' };
const ENDPOINT = 'yolops-staging';

function yolops(...args: string[]): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'yolops.js'), ...args], { cwd: REPO_ROOT, encoding: 'utf8', env });
  return { status: result.status, stderr: result.stderr };
}

let server: ModelServer | undefined;
let runtimeRoute: Server | undefined;
const seen: { endpoint: string; contentType: string }[] = [];

/** SageMaker Runtime's InvokeEndpoint route in front of the model server; any other endpoint name is unknown. */
async function startRuntimeRoute(modelUrl: string): Promise<string> {
  const target = new URL(modelUrl);
  runtimeRoute = createServer((incoming, response) => {
    const match = /^\/endpoints\/([^/]+)\/invocations$/.exec(incoming.url ?? '');
    if (!match || decodeURIComponent(match[1] ?? '') !== ENDPOINT) {
      response.writeHead(400, { 'content-type': 'application/json', 'x-amzn-errortype': 'ValidationError' });
      return void response.end(JSON.stringify({ message: `Endpoint ${match?.[1] ?? '?'} not found.` }));
    }
    seen.push({ endpoint: ENDPOINT, contentType: String(incoming.headers['content-type']) });
    const headers = { 'content-type': String(incoming.headers['content-type'] ?? ''), accept: String(incoming.headers['accept'] ?? '*/*') };
    const query = (incoming.headers['x-amzn-sagemaker-custom-attributes'] as string | undefined) ?? '';
    Object.assign(headers, query ? { 'x-amzn-sagemaker-custom-attributes': query } : {});
    const out = request({ host: target.hostname, port: target.port, method: 'POST', path: '/invocations', headers }, (answer) => {
      const status = answer.statusCode ?? 502;
      if (status >= 200 && status < 300) {
        response.writeHead(status, { 'content-type': answer.headers['content-type'] ?? 'application/octet-stream', 'x-amzn-invoked-production-variant': 'AllTraffic' });
        return void answer.pipe(response);
      }
      // As SageMaker hosting does: the container's refusal comes back as a ModelError (424) carrying its status and body.
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => {
        const original = Buffer.concat(chunks).toString('utf8');
        response.writeHead(424, { 'content-type': 'application/json', 'x-amzn-errortype': 'ModelError' });
        response.end(JSON.stringify({ ErrorCode: 'CLIENT_ERROR_FROM_MODEL', OriginalStatusCode: status, OriginalMessage: original, Message: `Received client error (${status}) from primary with message "${original}".` }));
      });
    });
    out.on('error', (error) => {
      response.writeHead(500);
      response.end(error.message);
    });
    incoming.pipe(out);
  });
  await new Promise<void>((resolve) => runtimeRoute?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(runtimeRoute.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  const dataset = join(work, 'dataset');
  const synth = yolops('dataset', 'synth', dataset, '--train', '16', '--val', '8', '--image-size', '64');
  expect(synth.status, synth.stderr).toBe(0);
  const run = yolops('run', '--dataset', dataset, '--param', 'Epochs=1', '--param', 'ImageSize=64', '--param', 'BatchSize=8', '--param', 'QualityThreshold=0', '--json');
  expect(run.status, run.stderr).toBe(0);
  const layout = localLayout(home);
  const [record] = await new LocalModelRegistry(layout.registry).list('yolops-yolo-models');
  if (!record) throw new Error('the run registered no version');
  server = await startModelServer({
    python: pythonEnvironment(join(REPO_ROOT, '.venv')),
    trainingDir: join(REPO_ROOT, 'training'),
    model: localArtifactPath(layout, record),
    workDir: join(work, 'serving'),
    logFile: join(work, 'server.log'),
  });
}, 300_000);

afterAll(async () => {
  await new Promise((resolve) => (runtimeRoute ? runtimeRoute.close(resolve) : resolve(undefined)));
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

/** The CLI as a person runs it, asynchronously: this process serves the runtime route it talks to. */
function yolopsAsync(args: string[], extraEnv: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'yolops.js'), ...args], { cwd: REPO_ROOT, env: { ...env, ...extraEnv } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('smokeTestEndpoint against the real inference server', () => {
  it("sends the smoke image through InvokeEndpoint and passes the server's answer, with its latency", async () => {
    const runtime = new SageMakerRuntimeClient({ endpoint: await startRuntimeRoute(server?.url ?? ''), region: MOTO_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 1 });
    try {
      const verdict = await smokeTestEndpoint(runtime, ENDPOINT);
      expect(verdict).toMatchObject({ ok: true, servedModel: expect.stringMatching(/^sha256:[0-9a-f]{16}$/) });
      if (!verdict.ok) return;
      expect(verdict.inferenceMs).toBeGreaterThan(0);
      expect(verdict.latencyMs).toBeGreaterThanOrEqual(verdict.inferenceMs);
      expect(verdict.detections).toBeGreaterThanOrEqual(0);
      expect(seen).toEqual([{ endpoint: ENDPOINT, contentType: SMOKE_IMAGE_CONTENT_TYPE }]);

      const unknown = await smokeTestEndpoint(runtime, 'yolops-nowhere');
      expect(unknown).toMatchObject({ ok: false, reason: 'InvokeEndpoint on yolops-nowhere failed: ValidationError: Endpoint yolops-nowhere not found.' });
    } finally {
      runtime.destroy();
    }
  });

  it('yolops predict --target aws sends images to a stage through SageMaker Runtime and reads answers and refusals as locally', async () => {
    const route = runtimeRoute ? `http://127.0.0.1:${(runtimeRoute.address() as AddressInfo).port}` : await startRuntimeRoute(server?.url ?? '');
    // The CLI's control-plane calls would go to AWS_ENDPOINT_URL; predict makes none, only InvokeEndpoint.
    const awsEnv = { AWS_REGION: 'ap-southeast-2', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true', AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: route };
    const image = join(work, 'dataset', 'images', 'val', readdirSync(join(work, 'dataset', 'images', 'val')).sort()[0] as string);
    const notImage = join(work, 'notes.txt');
    writeFileSync(notImage, 'not an image\n');

    const result = await yolopsAsync(['--target', 'aws', 'predict', image, notImage, '--stage', 'staging', '--conf', '0.01', '--json'], awsEnv);
    expect(result.status, result.stderr).toBe(1);
    const answers = JSON.parse(result.stdout) as { file: string; status: number; answer: { options?: { conf: number }; model?: { runtime: string }; error?: string } }[];
    expect(answers.map((a) => [a.file, a.status])).toEqual([[image, 200], [notImage, 422]]);
    expect(answers[0]?.answer.options?.conf).toBe(0.01); // CustomAttributes reached the server
    expect(['torch', 'onnx']).toContain(answers[0]?.answer.model?.runtime);
    expect(result.stderr.trimEnd().split('\n')).toEqual([`yolops: ${notImage}: the server refused it (422): the body is not a JPEG, PNG, WEBP, BMP image`]);

    const missing = await yolopsAsync(['--target', 'aws', 'predict', image], awsEnv);
    expect(missing.status).toBe(2);
    expect(missing.stderr.trimEnd().split('\n')).toEqual([
      'yolops: there is no endpoint yolops-production: `yolops models stages --target aws` shows what is deployed (approving a version deploys it to staging; `yolops models promote <version> --target aws` to production)',
    ]);
  }, 60_000);
});
