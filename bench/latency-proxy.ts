// A loopback HTTP proxy for bench/s3-validation.ts that holds every request for a fixed time before forwarding
// it, so a server on loopback (moto) answers with something like S3's first-byte latency. It runs in its own
// process (startLatencyProxy forks this file), so its work does not share the event loop that is being measured.
// It counts the requests it forwards and the most it held at once.
import { fork, type ChildProcess } from 'node:child_process';
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export interface ProxyStats {
  requests: number;
  maxInFlight: number;
}

export interface LatencyProxy {
  endpoint: string;
  pid: number;
  /** Requests forwarded and the most in flight (held or forwarded, response not yet finished) since the last reset. */
  stats(): Promise<ProxyStats>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

type ToChild = { type: 'stats' } | { type: 'reset' };
type FromChild = { type: 'listening'; port: number } | { type: 'stats'; stats: ProxyStats } | { type: 'reset' };

/** Forks the proxy in front of `target` (an http://host:port URL) and resolves once it listens on loopback. */
export async function startLatencyProxy(target: string, latencyMs: number): Promise<LatencyProxy> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--target', target, '--latency-ms', String(latencyMs)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = once(child, 'exit');
  const first = (await Promise.race([once(child, 'message'), exited.then(() => undefined)])) as [FromChild] | undefined;
  if (first?.[0].type !== 'listening') {
    child.kill('SIGKILL');
    throw new Error('the latency proxy exited before it listened');
  }
  const ask = async <T extends FromChild['type']>(message: ToChild & { type: T }): Promise<Extract<FromChild, { type: T }>> => {
    const answer = new Promise<Extract<FromChild, { type: T }>>((resolve, reject) => {
      const onMessage = (m: FromChild): void => {
        if (m.type !== message.type) return;
        child.off('message', onMessage);
        resolve(m as Extract<FromChild, { type: T }>);
      };
      child.on('message', onMessage);
      void exited.then(() => reject(new Error('the latency proxy exited')));
    });
    child.send(message);
    return answer;
  };
  return {
    endpoint: `http://127.0.0.1:${first[0].port}`,
    pid: child.pid ?? 0,
    stats: async () => (await ask({ type: 'stats' })).stats,
    reset: async () => void (await ask({ type: 'reset' })),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function serve(target: URL, latencyMs: number): void {
  const upstream = new Agent({ keepAlive: true, maxSockets: 256 });
  const stats: ProxyStats = { requests: 0, maxInFlight: 0 };
  let inFlight = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    stats.requests += 1;
    inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      inFlight -= 1;
    };
    res.once('close', finish);
    // The request body stays buffered in the paused stream until it is piped on.
    setTimeout(() => {
      const forwarded = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent: upstream },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forwarded.once('error', (error) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`latency proxy: ${error.message}`);
      });
      req.pipe(forwarded);
    }, latencyMs);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the latency proxy has no TCP address');
    process.send?.({ type: 'listening', port: address.port } satisfies FromChild);
  });
  process.on('message', (message: ToChild) => {
    if (message.type === 'reset') {
      stats.requests = 0;
      stats.maxInFlight = 0;
    }
    process.send?.({ type: message.type, ...(message.type === 'stats' ? { stats: { ...stats } } : {}) } as FromChild);
  });
  // The bench going away (IPC closed) ends the proxy too.
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { target: { type: 'string' }, 'latency-ms': { type: 'string', default: '20' } } });
  if (values.target === undefined) throw new Error('--target http://host:port is required');
  serve(new URL(values.target), Number(values['latency-ms']));
}
