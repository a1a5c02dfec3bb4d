import { Agent, createServer, request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LocalError } from '../errors.ts';
import { reachableHost } from './model-server.ts';

/** A server the proxy forwards to: `http://127.0.0.1:<port>`, and what it serves (a response header says so). */
export interface Upstream {
  url: string;
  /** Sent back as `x-yolops-model-version`: which registered version answered. */
  version: number;
}

export interface ReverseProxy {
  /** `http://<host>:<port>`: the stable address, whichever server is behind it. */
  url: string;
  port: number;
  upstream(): Upstream;
  /**
   * Sends every new request to `next` and resolves once the requests already sent to the previous upstream are
   * answered (or `drainMs` passed), so that the previous server can then be stopped without cutting one off.
   */
  switchTo(next: Upstream, drainMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface ReverseProxyOptions {
  upstream: Upstream;
  /** @default '127.0.0.1' */
  host?: string;
  /** @default a free one */
  port?: number;
}

/** The proxy could not listen (a port the person chose being taken is theirs to change: `user`). */
export class ReverseProxyError extends LocalError {}

export const MODEL_VERSION_HEADER = 'x-yolops-model-version';

// Headers of one connection, not of the message: each side of the proxy has its own connection.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

function endToEnd(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())));
}

interface Route {
  upstream: Upstream;
  agent: Agent;
  inFlight: number;
  drained: (() => void)[];
}

const newRoute = (upstream: Upstream): Route => ({ upstream, agent: new Agent({ keepAlive: true }), inFlight: 0, drained: [] });

/**
 * A small HTTP reverse proxy in front of the model server: a stable address for `yolops serve --stage` while the
 * server behind it is replaced (blue/green). Each request goes, whole, to the upstream that was current when it
 * arrived; a request the upstream cannot take gets a 502 with the server's refusal shape (`{"error": ...}`).
 */
export async function startReverseProxy(options: ReverseProxyOptions): Promise<ReverseProxy> {
  let route = newRoute(options.upstream);
  const server = createServer((req, res) => {
    const taken = route;
    taken.inFlight++;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      // The client went away before its answer was sent: the forwarded request must not be left hanging.
      if (!res.writableFinished) forward.destroy();
      taken.inFlight--;
      if (taken.inFlight === 0) for (const resolve of taken.drained.splice(0)) resolve();
    };
    const target = new URL(req.url ?? '/', taken.upstream.url);
    const forward = request(target, { method: req.method, headers: { ...endToEnd(req.headers), host: target.host }, agent: taken.agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, { ...endToEnd(answer.headers), [MODEL_VERSION_HEADER]: String(taken.upstream.version) });
      answer.pipe(res);
    });
    forward.once('error', (error) => {
      if (res.destroyed) return; // the client is gone (finish destroyed the forwarded request): no one to tell
      if (res.headersSent) return void res.destroy(error);
      res.writeHead(502, { 'content-type': 'application/json', [MODEL_VERSION_HEADER]: String(taken.upstream.version) });
      res.end(JSON.stringify({ error: `the model server of version ${taken.upstream.version} did not answer: ${error.message}` }));
    });
    res.once('close', finish);
    req.pipe(forward);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: Error & { code?: string }) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new ReverseProxyError(`port ${options.port} on ${host} is in use: pick another with --port (or leave it out for a free one)`, { cause: error, audience: 'user' })
          : new ReverseProxyError(`cannot listen on ${host}:${options.port ?? 0}: ${error.message}`, { cause: error }),
      ),
    );
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${reachableHost(host)}:${port}`,
    port,
    upstream: () => route.upstream,
    async switchTo(next, drainMs = 60_000) {
      const previous = route;
      route = newRoute(next);
      if (previous.inFlight > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, drainMs);
          previous.drained.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      previous.agent.destroy();
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      route.agent.destroy();
    },
  };
}
