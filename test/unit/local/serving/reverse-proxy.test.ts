// The proxy in front of `yolops serve --stage`, with real HTTP servers behind it on loopback.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MODEL_VERSION_HEADER, startReverseProxy, type ReverseProxy } from '../../../../src/local/serving/reverse-proxy.ts';

const servers: Server[] = [];
let proxy: ReverseProxy | undefined;

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** A stand-in model server: answers `{name, path, body}` after `delayMs`, echoing the request body. */
async function upstream(name: string, delayMs = 0): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json', connection: 'keep-alive' });
        res.end(JSON.stringify({ name, path: req.url, method: req.method, body: Buffer.concat(chunks).toString() }));
      }, delayMs);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function stop(url: string): Promise<void> {
  const server = servers.find((s) => url.endsWith(`:${(s.address() as AddressInfo).port}`));
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
}

describe('startReverseProxy', () => {
  it('forwards method, path, query and body, and names the version in a header', async () => {
    proxy = await startReverseProxy({ upstream: { url: await upstream('blue'), version: 1 } });
    const response = await fetch(`${proxy.url}/invocations?conf=0.5`, { method: 'POST', body: 'image bytes', headers: { 'content-type': 'image/png' } });
    expect(response.status).toBe(200);
    expect(response.headers.get(MODEL_VERSION_HEADER)).toBe('1');
    expect(await response.json()).toEqual({ name: 'blue', path: '/invocations?conf=0.5', method: 'POST', body: 'image bytes' });
  });

  it('answers 502 in the refusal shape when the server behind it does not answer', async () => {
    const url = await upstream('gone');
    await stop(url);
    proxy = await startReverseProxy({ upstream: { url, version: 4 } });
    const response = await fetch(`${proxy.url}/ping`);
    expect(response.status).toBe(502);
    expect(((await response.json()) as { error: string }).error).toMatch(/^the model server of version 4 did not answer: .*ECONNREFUSED/);
  });

  it('switches servers under load without failing a request; the old one is free once switchTo resolves', async () => {
    const blue = await upstream('blue', 20);
    const green = await upstream('green', 5);
    proxy = await startReverseProxy({ upstream: { url: blue, version: 1 } });
    const answers: { status: number; name: string; header: string | null }[] = [];
    const failures: string[] = [];
    let done = false;
    const client = async (): Promise<void> => {
      while (!done) {
        try {
          const response = await fetch(`${proxy?.url}/invocations`, { method: 'POST', body: 'x' });
          answers.push({ status: response.status, name: ((await response.json()) as { name: string }).name, header: response.headers.get(MODEL_VERSION_HEADER) });
        } catch (error) {
          failures.push(String(error));
        }
      }
    };
    const clients = Array.from({ length: 4 }, client);
    await new Promise((r) => setTimeout(r, 200));
    await proxy.switchTo({ url: green, version: 2 });
    // Nothing is in flight to blue any more: stopping it now cuts no request off.
    await stop(blue);
    await new Promise((r) => setTimeout(r, 200));
    done = true;
    await Promise.all(clients);
    expect(failures).toEqual([]);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(new Set(answers.map((a) => `${a.header} ${a.name}`))).toEqual(new Set(['1 blue', '2 green']));
    expect(answers.at(-1)).toEqual({ status: 200, name: 'green', header: '2' });
    expect(proxy.upstream()).toEqual({ url: green, version: 2 });
  });

  it('does not wait for a request whose client went away before switching', async () => {
    proxy = await startReverseProxy({ upstream: { url: await upstream('slow', 5_000), version: 1 } });
    const client = request(`${proxy.url}/invocations`, { method: 'POST' });
    client.once('error', () => undefined); // destroyed below on purpose
    client.end('x');
    await new Promise((r) => setTimeout(r, 200));
    client.destroy();
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    await proxy.switchTo({ url: await upstream('green'), version: 2 }, 4_000);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('refuses a port that is taken, naming it (a user mistake)', async () => {
    const url = await upstream('blue');
    const port = Number(new URL(url).port);
    const error = await startReverseProxy({ upstream: { url, version: 1 }, port }).catch((e: unknown) => e);
    expect((error as Error).message).toBe(`port ${port} on 127.0.0.1 is in use: pick another with --port (or leave it out for a free one)`);
    expect((error as { audience: string }).audience).toBe('user');
  });
});
