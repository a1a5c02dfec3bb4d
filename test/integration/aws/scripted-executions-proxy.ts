import { forward, readBody, relay, sendJson, startProxyServer } from './loopback-proxy.ts';

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

  const server = await startProxyServer(async (incoming, response) => {
    const body = await readBody(incoming);
    const operation = String(incoming.headers['x-amz-target'] ?? '');
    if (operation.startsWith('SageMaker.')) calls.push(operation.slice('SageMaker.'.length));
    const arn = operation.startsWith('SageMaker.') && body.length > 0 ? ((JSON.parse(body.toString('utf8')) as { PipelineExecutionArn?: string }).PipelineExecutionArn ?? '') : '';
    const scripted = scripts.get(arn);
    // Always answered here (an execution nobody scripted has no steps yet): moto would answer HTTP 500.
    if (operation === 'SageMaker.ListPipelineExecutionSteps') return sendJson(response, 200, { PipelineExecutionSteps: frameOf(arn)?.steps ?? [] });
    const answer = await forward(target, incoming, body);
    if (operation === 'SageMaker.DescribePipelineExecution' && scripted && answer.status === 200) {
      scripted.shown = Math.min(scripted.at, scripted.frames.length - 1);
      scripted.at += 1;
      const frame = scripted.frames[scripted.shown] as ScriptedFrame;
      const described = JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;
      described['PipelineExecutionStatus'] = frame.status;
      if (frame.failureReason) described['FailureReason'] = frame.failureReason;
      else delete described['FailureReason'];
      return sendJson(response, 200, described);
    }
    relay(response, answer);
  });
  return {
    endpoint: server.endpoint,
    script: (executionArn, frames) => void scripts.set(executionArn, { frames, at: 0, shown: 0 }),
    calls,
    close: server.close,
  };
}
