// bench/serving.ts end to end with tiny settings: the real inference server, the real Python baseline, the
// table and the ratios printed, the --json results, and no process of any server left once it has exited,
// nor its scratch folder, whether it ends by itself or by Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as z from 'zod';

const repo = new URL('../../..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'yolops-bench-smoke-'));
const TINY = ['--images', '4', '--image-size', '64', '--warmup', '1', '--duration', '2', '--workers', '1'];

afterAll(() => rmSync(work, { recursive: true, force: true }));

const groupAlive = (pgid: number): boolean => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

const summary = z.object({ n: z.int(), p50: z.number().positive(), p99: z.number().positive() });
const resultsSchema = z.object({
  settings: z.object({ images: z.literal(4), imageSize: z.literal(64) }),
  latency: z.object({ inProcess: summary, server: summary, serverInferenceMs: summary, ratioP50: z.number().positive(), ratioP99: z.number().positive(), targetMet: z.boolean(), serverNon2xx: z.literal(0), serverErrors: z.literal(0) }),
  throughput: z.object({ inProcessSequential: z.number().positive(), server: z.array(z.object({ workers: z.literal(1), ok: z.int().min(1), non2xx: z.literal(0), errors: z.literal(0), perSecond: z.number().positive() })).length(1) }),
  memory: z.array(z.object({ runtime: z.string(), workers: z.int(), warm: z.array(z.object({ pid: z.int(), role: z.string(), rssMb: z.number().positive() })).min(1) })).min(1),
});

describe('bench/serving.ts', () => {
  it('runs end to end with tiny settings, prints the table and the ratios, and leaves no server behind', () => {
    const json = join(work, 'results.json');
    const result = spawnSync(process.execPath, [join(repo, 'bench', 'serving.ts'), ...TINY, '--json', json], { cwd: repo, encoding: 'utf8', timeout: 240_000 });
    expect(result.status, result.stdout + result.stderr).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/^in-process YOLO\.predict, torch \(decode \+ predict\)\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+4$/m);
    expect(out).toMatch(/^server POST \/invocations, torch, 1 worker \(client\)\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+4$/m);
    expect(out).toMatch(/^ratio server \/ in-process \(all rounds' samples\): p50 \d+\.\d\dx, p99 \d+\.\d\dx \(target <= 1\.2x: (met|NOT met)\)$/m);
    expect(out).toMatch(/^server, torch\s+8\s+1\s+[\d.]+\s+[1-9]\d*\s+0\s+0\s+[\d.]+/m);
    expect(out).toMatch(/^ratio server c=8 \/ in-process sequential: 1 worker \d+\.\d\dx$/m);
    // The ONNX sides run when onnx and onnxruntime import and the server reads the runtime variable; else one line says why.
    expect(out).toMatch(/^(in-process onnx \(best\.onnx\)\s+[\d.]+\s|in-process onnx: skipped: .+$)/m);
    expect(out).toMatch(/^(server onnx, 1 worker \(client\)\s+[\d.]+\s|server onnx: skipped: .+$)/m);
    // A server started with YOLOPS_INFERENCE_RUNTIME=onnx must have answered with ONNX Runtime, every time.
    if (!/^server onnx: skipped/m.test(out)) expect(out).toMatch(/^ {2}the onnx server's answers name the runtime that ran them: onnx 4$/m);
    expect(out).toMatch(/^the server's answers name the runtime that ran them: torch 4$/m);
    expect(out).toMatch(/^torch\s+1\s+\d+\s+server\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+$/m);
    expect(out).toMatch(/^load average \(1, 5, 15 min\): start: /m);

    const results = resultsSchema.parse(JSON.parse(readFileSync(json, 'utf8')));
    expect(results.latency.inProcess.n).toBe(4);
    expect(results.latency.server.n).toBe(4);
    expect(results.latency.ratioP50).toBeCloseTo(results.latency.server.p50 / results.latency.inProcess.p50, 6);
    for (const run of results.memory) for (const p of run.warm) expect(groupAlive(p.pid), `process ${p.pid} (${p.role}) outlived the bench`).toBe(false);
  });

  it('stops the server it started when interrupted with Ctrl-C (SIGINT), and exits 130', async () => {
    const child = spawn(process.execPath, [join(repo, 'bench', 'serving.ts'), ...TINY, '--skip-onnx'], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    let stderr = '';
    const pgid = await new Promise<number>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const ready = /ready in [\d.]+ s \(process group (\d+)\)/.exec(stderr);
        if (ready) resolve(Number(ready[1]));
      });
      child.once('exit', (code) => reject(new Error(`the bench exited (${code}) before its server was ready: ${stderr}`)));
    });
    expect(groupAlive(pgid)).toBe(true);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/bench: SIGINT: stopping 1 process group\(s\)/);
    expect(groupAlive(pgid)).toBe(false);
    const scratch = /scratch (\S+)$/m.exec(stdout)?.[1];
    expect(scratch, stdout).toBeDefined();
    expect(existsSync(scratch as string)).toBe(false);
  });
});
