// A bounded HTTP load generator for POST /invocations: a fixed number of requests in flight, each on its own
// keep-alive connection (node's http Agent, maxSockets = concurrency), stopped by whichever comes first of a
// time limit and a request count. Successes, non-2xx answers and errors (connection failures, timeouts, a 2xx
// whose body is not the server's answer) are counted apart; only successes go into the latency figures.
import { Agent, request } from 'node:http';
import { invocationAnswerSchema } from '../../src/core/serving/invocation-answer.ts';

export interface RequestBody {
  data: Buffer;
  contentType: string;
}

export interface LoadOptions {
  /** The server's `/invocations` URL (http only: the bench talks to loopback). */
  endpoint: string;
  /** Sent in order, wrapping around: with `maxRequests` = bodies.length and concurrency 1, each exactly once. */
  bodies: readonly RequestBody[];
  concurrency: number;
  durationMs: number;
  maxRequests: number;
  /** @default 60000: SageMaker's own limit for one invocation */
  requestTimeoutMs?: number;
}

export interface LoadResult {
  concurrency: number;
  sent: number;
  ok: number;
  non2xx: number;
  errors: number;
  /** Status code -> count, for the non-2xx answers. */
  statuses: Record<string, number>;
  /** The first few error and non-2xx messages, to tell what went wrong. */
  problems: string[];
  seconds: number;
  /** Client-side latency of each success: from writing the request to the last byte of the answer. */
  latenciesMs: number[];
  /** The server's own `inference_ms` of each success: Ultralytics' predict, inside its lock. */
  serverInferenceMs: number[];
  /** What ran each success (the answer's model.runtime) -> count. */
  runtimes: Record<string, number>;
}

const MAX_PROBLEMS = 5;

type Outcome = { kind: 'ok'; ms: number; inferenceMs: number; runtime: string } | { kind: 'non2xx'; status: number; text: string } | { kind: 'error'; text: string };

function send(agent: Agent, url: URL, body: RequestBody, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': body.contentType, 'content-length': body.data.length }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (error) => resolve({ kind: 'error', text: `reading the answer: ${error.message}` }));
      res.on('end', () => {
        const ms = performance.now() - started;
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300) return resolve({ kind: 'non2xx', status, text: text.slice(0, 300) });
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          return resolve({ kind: 'error', text: `a ${status} answer that is not JSON: ${text.slice(0, 200)}` });
        }
        const answer = invocationAnswerSchema.safeParse(json);
        if (!answer.success) return resolve({ kind: 'error', text: `a ${status} answer of the wrong shape: ${answer.error.message.slice(0, 200)}` });
        resolve({ kind: 'ok', ms, inferenceMs: answer.data.inference_ms, runtime: answer.data.model.runtime });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) => resolve({ kind: 'error', text: error.message }));
    req.end(body.data);
  });
}

/** Runs the load and resolves when every request in flight has finished. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  if (options.bodies.length === 0) throw new RangeError('runLoad needs at least one body');
  const url = new URL(options.endpoint);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const result: LoadResult = { concurrency: options.concurrency, sent: 0, ok: 0, non2xx: 0, errors: 0, statuses: {}, problems: [], seconds: 0, latenciesMs: [], serverInferenceMs: [], runtimes: {} };
  const started = performance.now();
  const deadline = started + options.durationMs;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < options.maxRequests && performance.now() < deadline) {
      const body = options.bodies[next % options.bodies.length] as RequestBody;
      next += 1;
      result.sent += 1;
      const outcome = await send(agent, url, body, options.requestTimeoutMs ?? 60_000);
      if (outcome.kind === 'ok') {
        result.ok += 1;
        result.latenciesMs.push(outcome.ms);
        result.serverInferenceMs.push(outcome.inferenceMs);
        result.runtimes[outcome.runtime] = (result.runtimes[outcome.runtime] ?? 0) + 1;
        continue;
      }
      if (outcome.kind === 'non2xx') {
        result.non2xx += 1;
        result.statuses[String(outcome.status)] = (result.statuses[String(outcome.status)] ?? 0) + 1;
      } else result.errors += 1;
      if (result.problems.length < MAX_PROBLEMS) result.problems.push(outcome.kind === 'non2xx' ? `${outcome.status}: ${outcome.text}` : outcome.text);
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    agent.destroy();
  }
  result.seconds = (performance.now() - started) / 1000;
  return result;
}
