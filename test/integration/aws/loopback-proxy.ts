import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The pieces every loopback proxy in front of moto shares (the scripted executions, endpoint updates and
 * CodeBuild proxies): reading a body, forwarding a request as it came, relaying or answering, and a server
 * whose failures become a 502 with the reason instead of a hung request.
 */

export interface ForwardedAnswer {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export function readBody(message: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    message.on('data', (chunk: Buffer) => chunks.push(chunk));
    message.on('end', () => resolve(Buffer.concat(chunks)));
    message.on('error', reject);
  });
}

/** Sends the request on to `target` as it came, and answers what came back. */
export function forward(target: URL, incoming: Pick<IncomingMessage, 'method' | 'url' | 'headers'>, body: Buffer): Promise<ForwardedAnswer> {
  return new Promise((resolve, reject) => {
    const out = request({ host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: { ...incoming.headers, host: target.host } }, (answer) => {
      readBody(answer).then((data) => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: data }), reject);
    });
    out.on('error', reject);
    out.end(body);
  });
}

/** Answers with what moto answered, with `body` in place of its body when given (its length set again). */
export function relay(response: ServerResponse, answer: ForwardedAnswer, body: Buffer = answer.body): void {
  const headers = { ...answer.headers };
  delete headers['transfer-encoding'];
  headers['content-length'] = String(body.length);
  response.writeHead(answer.status, headers);
  response.end(body);
}

/** A JSON answer in the AWS JSON 1.1 protocol's content type. */
export function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'content-length': String(body.length) });
  response.end(body);
}

/** Listens on a free loopback port; a handler that throws answers 502 with its message. */
export async function startProxyServer(handle: (incoming: IncomingMessage, response: ServerResponse) => Promise<void>): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server = createServer((incoming, response) => {
    handle(incoming, response).catch((error: unknown) => {
      response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(`proxy: ${(error as Error).message}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
