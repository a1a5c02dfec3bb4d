// The serving bench's load generator against a real HTTP server on loopback that answers like the inference
// server, refuses some requests and drops others, and counts how many requests it holds at once.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad } from '../../../bench/serving/load-generator.ts';
import { percentile, summarize } from '../../../bench/serving/stats.ts';

const answer = JSON.stringify({
  model: { version: 'sha256:0123456789abcdef', mlflow_run_id: null, runtime: 'torch' },
  inference_ms: 4.5,
  options: { conf: 0.25, imgsz: 64 },
  predictions: [{ width: 64, height: 64, detections: [] }],
});

let server: Server;
let endpoint = '';
let inFlight = 0;
let maxInFlight = 0;
const contentTypes = new Set<string>();

beforeAll(async () => {
  server = createServer((req, res) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    contentTypes.add(req.headers['content-type'] ?? '');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      setTimeout(() => {
        inFlight -= 1;
        if (body === 'refuse') res.writeHead(415, { 'content-type': 'application/json' }).end('{"error":"no"}');
        else if (body === 'drop') res.destroy();
        else if (body === 'garbage') res.writeHead(200, { 'content-type': 'application/json' }).end('{"predictions": []}');
        else res.writeHead(200, { 'content-type': 'application/json' }).end(answer);
      }, 20);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}/invocations`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const body = (text: string): { data: Buffer; contentType: string } => ({ data: Buffer.from(text), contentType: 'image/jpeg' });

describe('runLoad', () => {
  it('keeps at most `concurrency` requests in flight and stops at the request count', async () => {
    maxInFlight = 0;
    const result = await runLoad({ endpoint, bodies: [body('a'), body('b')], concurrency: 4, durationMs: 60_000, maxRequests: 30 });
    expect(result).toMatchObject({ sent: 30, ok: 30, non2xx: 0, errors: 0, concurrency: 4 });
    expect(maxInFlight).toBe(4);
    expect(result.latenciesMs).toHaveLength(30);
    expect(Math.min(...result.latenciesMs)).toBeGreaterThanOrEqual(19);
    expect(result.serverInferenceMs).toEqual(Array(30).fill(4.5));
    expect(result.runtimes).toEqual({ torch: 30 });
    expect([...contentTypes]).toEqual(['image/jpeg']);
  });

  it('stops at the time limit when the count is not reached', async () => {
    const result = await runLoad({ endpoint, bodies: [body('a')], concurrency: 2, durationMs: 300, maxRequests: 1_000_000 });
    expect(result.sent).toBeGreaterThan(4);
    expect(result.sent).toBeLessThan(100);
    expect(result.ok).toBe(result.sent);
    expect(result.seconds).toBeGreaterThanOrEqual(0.3);
    expect(result.seconds).toBeLessThan(2);
  });

  it('counts successes, non-2xx answers and errors apart, and keeps only successes in the latencies', async () => {
    const bodies = [body('ok'), body('refuse'), body('drop'), body('garbage')];
    const result = await runLoad({ endpoint, bodies, concurrency: 1, durationMs: 60_000, maxRequests: 8 });
    expect(result).toMatchObject({ sent: 8, ok: 2, non2xx: 2, errors: 4, statuses: { '415': 2 } });
    expect(result.latenciesMs).toHaveLength(2);
    expect(result.problems.some((p) => p.startsWith('415: {"error":"no"}'))).toBe(true);
    expect(result.problems.some((p) => p.includes('a 200 answer of the wrong shape'))).toBe(true);
    expect(result.problems.some((p) => /socket hang up|ECONNRESET/.test(p))).toBe(true);
  });
});

describe('latency summaries', () => {
  it('takes nearest-rank percentiles', () => {
    const samples = Array.from({ length: 200 }, (_, i) => 200 - i); // 200 .. 1, unsorted on purpose
    expect(summarize(samples)).toEqual({ n: 200, p50: 100, p99: 198, mean: 100.5, min: 1, max: 200 });
    expect(percentile([7], 99)).toBe(7);
    expect(summarize([]).n).toBe(0);
    expect(Number.isNaN(summarize([]).p50)).toBe(true);
  });
});
