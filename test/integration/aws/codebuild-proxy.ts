import { forward, readBody, relay, startProxyServer } from './loopback-proxy.ts';

/**
 * A loopback HTTP proxy in front of moto for what moto 5.2.5's CodeBuild cannot do: its StartBuild accepts
 * sourceTypeOverride, sourceLocationOverride and environmentVariablesOverride but drops them (the build it
 * answers has a fixed CodeCommit source and no variables), and its BatchGetBuilds finishes every build as
 * SUCCEEDED at the first call. Every request is forwarded to moto as it is; the proxy only records each
 * request's X-Amz-Target and StartBuild's body, and, for a test that scripts them, replaces the status, phase and
 * phases of BatchGetBuilds' answer frame by frame (the last frame stays).
 */

/** What BatchGetBuilds shows of a build at one poll. */
export interface BuildFrame {
  buildStatus: 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'FAULT' | 'TIMED_OUT' | 'STOPPED';
  currentPhase: string;
  phases: { phaseType: string; phaseStatus?: string; contexts?: { statusCode: string; message: string }[] }[];
}

export interface CodeBuildProxy {
  endpoint: string;
  /** Every request's X-Amz-Target (`CodeBuild_20161006.StartBuild`, `AmazonEC2ContainerRegistry_V20150921.DescribeImages`, ...), in order. */
  readonly targets: string[];
  /** The parsed body of every StartBuild, in order. */
  readonly startBuilds: Record<string, unknown>[];
  /** From now on, BatchGetBuilds answers go through `frames`, one per call. */
  scriptBuilds(frames: BuildFrame[]): void;
  close(): Promise<void>;
}

export async function startCodeBuildProxy(motoEndpoint: string): Promise<CodeBuildProxy> {
  const upstream = new URL(motoEndpoint);
  const targets: string[] = [];
  const startBuilds: Record<string, unknown>[] = [];
  let frames: BuildFrame[] = [];
  let at = 0;

  const server = await startProxyServer(async (incoming, response) => {
    const body = await readBody(incoming);
    const operation = String(incoming.headers['x-amz-target'] ?? '');
    if (operation) targets.push(operation);
    if (operation === 'CodeBuild_20161006.StartBuild') startBuilds.push(JSON.parse(body.toString('utf8')) as Record<string, unknown>);
    const answer = await forward(upstream, incoming, body);
    let out = answer.body;
    if (operation === 'CodeBuild_20161006.BatchGetBuilds' && frames.length > 0 && answer.status === 200) {
      const frame = frames[Math.min(at, frames.length - 1)] as BuildFrame;
      at += 1;
      const parsed = JSON.parse(answer.body.toString('utf8')) as { builds?: Record<string, unknown>[] };
      for (const build of parsed.builds ?? []) Object.assign(build, frame);
      out = Buffer.from(JSON.stringify(parsed));
    }
    relay(response, answer, out);
  });
  return {
    endpoint: server.endpoint,
    targets,
    startBuilds,
    scriptBuilds: (next) => {
      frames = next;
      at = 0;
    },
    close: server.close,
  };
}
