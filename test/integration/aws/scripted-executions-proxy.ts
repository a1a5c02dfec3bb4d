import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback HTTP proxy in front of moto for what moto 5.2.5 cannot do: it has no ListPipelineExecutionSteps
 * (HTTP 500) and finishes every execution the moment it starts. Every request is forwarded to moto as it is,
 * except for executions a test scripted: their ListPipelineExecutionSteps is answered here, in SageMaker's JSON
 * wire format, and their DescribePipelineExecution is moto's answer with the scripted status. Each
 * DescribePipelineExecution of a scripted execution moves it one frame on (the last frame stays), so a poller
 * sees the progression a real execution would go through. ListPipelineExecutionSteps of an execution nobody
 * scripted answers no steps.
 */

/** One step as ListPipelineExecutionSteps lists it (times in epoch seconds, as the wire format has them). */
export interface ScriptedStep {
  StepName: string;
  StepStatus: 'Starting' | 'Executing' | 'Stopping' | 'Stopped' | 'Failed' | 'Succeeded';
  StartTime?: number;
  EndTime?: number;
  FailureReason?: string;
  Metadata?: Record<string, unknown>;
}

export interface ScriptedFrame {
  status: 'Executing' | 'Stopping' | 'Stopped' | 'Failed' | 'Succeeded';
  failureReason?: string;
  steps: ScriptedStep[];
}

export interface ScriptedProxy {
  endpoint: string;
  /** From now on, `executionArn` goes through `frames`, one per DescribePipelineExecution. */
  script(executionArn: string, frames: ScriptedFrame[]): void;
  /** The X-Amz-Target of every SageMaker request seen, in order (what a command called). */
  readonly calls: string[];
  close(): Promise<void>;
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
export function forward(target: URL, incoming: IncomingMessage, body: Buffer): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const out = request(
      { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: { ...incoming.headers, host: target.host } },
      (answer) => {
        readBody(answer).then((data) => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: data }), reject);
      },
    );
    out.on('error', reject);
    out.end(body);
  });
}

function sendJson(response: ServerResponse, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': String(body.length) });
  response.end(body);
}

export async function startScriptedProxy(motoEndpoint: string): Promise<ScriptedProxy> {
  const target = new URL(motoEndpoint);
  // `at`: the frame the next DescribePipelineExecution answers; `shown`: the one it answered last, whose steps
  // ListPipelineExecutionSteps lists.
  const scripts = new Map<string, { frames: ScriptedFrame[]; at: number; shown: number }>();
  const calls: string[] = [];
  const frameOf = (arn: string): ScriptedFrame | undefined => {
    const script = scripts.get(arn);
    return script ? script.frames[script.shown] : undefined;
  };

  const server: Server = createServer((incoming, response) => {
    void (async () => {
      const body = await readBody(incoming);
      const operation = String(incoming.headers['x-amz-target'] ?? '');
      if (operation.startsWith('SageMaker.')) calls.push(operation.slice('SageMaker.'.length));
      const arn = operation.startsWith('SageMaker.') && body.length > 0 ? ((JSON.parse(body.toString('utf8')) as { PipelineExecutionArn?: string }).PipelineExecutionArn ?? '') : '';
      const scripted = scripts.get(arn);
      // Always answered here (an execution nobody scripted has no steps yet): moto would answer HTTP 500.
      if (operation === 'SageMaker.ListPipelineExecutionSteps') return sendJson(response, { PipelineExecutionSteps: frameOf(arn)?.steps ?? [] });
      const answer = await forward(target, incoming, body);
      if (operation === 'SageMaker.DescribePipelineExecution' && scripted && answer.status === 200) {
        scripted.shown = Math.min(scripted.at, scripted.frames.length - 1);
        scripted.at += 1;
        const frame = scripted.frames[scripted.shown] as ScriptedFrame;
        const described = JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;
        described['PipelineExecutionStatus'] = frame.status;
        if (frame.failureReason) described['FailureReason'] = frame.failureReason;
        else delete described['FailureReason'];
        return sendJson(response, described);
      }
      const headers = { ...answer.headers };
      delete headers['transfer-encoding'];
      headers['content-length'] = String(answer.body.length);
      response.writeHead(answer.status, headers);
      response.end(answer.body);
    })().catch((error: unknown) => {
      response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(`proxy: ${(error as Error).message}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    script: (executionArn, frames) => void scripts.set(executionArn, { frames, at: 0, shown: 0 }),
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
