import { CreateEndpointCommand, DeleteEndpointCommand, DescribeEndpointCommand, ListTagsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { forward, readBody, relay, sendJson, startProxyServer } from './loopback-proxy.ts';
import type { AwsClientConfig } from './moto.ts';

/**
 * A loopback proxy in front of moto for what moto 5.2.5 cannot do with endpoints:
 * - it has no UpdateEndpoint (it answers an HTML error page): here UpdateEndpoint is recorded (DeploymentConfig
 *   included) and carried out in moto as the end state of a successful update, the endpoint deleted and created
 *   again with the new configuration and its tags; or, for an endpoint set to roll back, left on its old
 *   configuration with the FailureReason a rollback leaves;
 * - it finishes every CreateEndpoint at once (InService) and never reports Updating, RollingBack, Failed or a
 *   PendingDeploymentSummary: a test scripts DescribeEndpoint's status frames, one per call (the last stays).
 * - its InvokeEndpoint answers HTTP 500 for a body that is not UTF-8 text (any image): the body is recorded in
 *   `invocations` and sent on base64-encoded, which moto only uses to pick its canned answer.
 * Everything else goes to moto as it is. Every X-Amz-Target seen is kept in `calls`, in order.
 */
export interface EndpointFrame {
  EndpointStatus: 'Creating' | 'Updating' | 'RollingBack' | 'InService' | 'Failed' | 'UpdateRollbackFailed' | 'Deleting';
  FailureReason?: string;
  /** Show the configuration of the last UpdateEndpoint as PendingDeploymentSummary. */
  pending?: boolean;
}

export interface EndpointUpdatesProxy {
  endpoint: string;
  /** X-Amz-Target of every request (SageMaker.CreateModel, AnyScaleFrontendService.RegisterScalableTarget, ...). */
  readonly calls: string[];
  /** The body of every UpdateEndpoint, in order. */
  readonly updates: Record<string, unknown>[];
  /** Every InvokeEndpoint: the endpoint, the Content-Type and the body as sent. */
  readonly invocations: { endpointName: string; contentType: string; body: Buffer }[];
  /** From now on, DescribeEndpoint of `endpointName` goes through `frames`. */
  script(endpointName: string, frames: EndpointFrame[]): void;
  /** The next UpdateEndpoint of `endpointName` leaves it on its old configuration, as a rollback does. */
  rollBackNextUpdate(endpointName: string, reason: string): void;
  /** The next UpdateEndpoint of `endpointName` is refused with a ValidationException carrying `message`. */
  refuseNextUpdate(endpointName: string, message: string): void;
  clear(): void;
  close(): Promise<void>;
}

export async function startEndpointUpdatesProxy(moto: { endpoint: string; clientConfig: AwsClientConfig }): Promise<EndpointUpdatesProxy> {
  const target = new URL(moto.endpoint);
  const sagemaker = new SageMakerClient({ ...moto.clientConfig, maxAttempts: 1 });
  const calls: string[] = [];
  const updates: Record<string, unknown>[] = [];
  const invocations: EndpointUpdatesProxy['invocations'] = [];
  const scripts = new Map<string, { frames: EndpointFrame[]; at: number }>();
  const rollbacks = new Map<string, string>();
  const refusals = new Map<string, string>();
  const lastRequested = new Map<string, string>();
  const rolledBack = new Map<string, string>();

  async function update(body: { EndpointName: string; EndpointConfigName: string }): Promise<{ status: number; value: unknown }> {
    const name = body.EndpointName;
    const refusal = refusals.get(name);
    if (refusal !== undefined) {
      refusals.delete(name);
      return { status: 400, value: { __type: 'ValidationException', message: refusal } };
    }
    const described = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: name }));
    lastRequested.set(name, body.EndpointConfigName);
    const reason = rollbacks.get(name);
    if (reason !== undefined) {
      rollbacks.delete(name);
      rolledBack.set(name, reason);
      return { status: 200, value: { EndpointArn: described.EndpointArn } };
    }
    rolledBack.delete(name);
    const tags = (await sagemaker.send(new ListTagsCommand({ ResourceArn: described.EndpointArn }))).Tags ?? [];
    await sagemaker.send(new DeleteEndpointCommand({ EndpointName: name }));
    await sagemaker.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: body.EndpointConfigName, Tags: tags }));
    return { status: 200, value: { EndpointArn: described.EndpointArn } };
  }

  const server = await startProxyServer(async (incoming, response) => {
    const body = await readBody(incoming);
    const operation = String(incoming.headers['x-amz-target'] ?? '');
    if (operation) calls.push(operation);
    if (operation === 'SageMaker.UpdateEndpoint') {
      const parsed = JSON.parse(body.toString('utf8')) as { EndpointName: string; EndpointConfigName: string };
      updates.push(parsed);
      const answer = await update(parsed);
      return sendJson(response, answer.status, answer.value);
    }
    const invoked = /^\/endpoints\/([^/]+)\/invocations$/.exec(incoming.url ?? '');
    if (invoked && incoming.method === 'POST') {
      invocations.push({ endpointName: decodeURIComponent(invoked[1] ?? ''), contentType: String(incoming.headers['content-type'] ?? ''), body });
      const text = Buffer.from(body.toString('base64'));
      const answer = await forward(target, { method: incoming.method, url: incoming.url, headers: { ...incoming.headers, 'content-length': String(text.length) } }, text);
      response.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
      return void response.end(answer.body);
    }
    const answer = await forward(target, incoming, body);
    if (operation === 'SageMaker.DescribeEndpoint' && answer.status === 200) {
      const described = JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;
      const name = String(described['EndpointName']);
      const reason = rolledBack.get(name);
      if (reason !== undefined) described['FailureReason'] = reason;
      const script = scripts.get(name);
      if (script) {
        const frame = script.frames[Math.min(script.at, script.frames.length - 1)] as EndpointFrame;
        script.at += 1;
        described['EndpointStatus'] = frame.EndpointStatus;
        if (frame.FailureReason !== undefined) described['FailureReason'] = frame.FailureReason;
        if (frame.pending && lastRequested.has(name)) described['PendingDeploymentSummary'] = { EndpointConfigName: lastRequested.get(name), EndpointStatus: frame.EndpointStatus };
      }
      return sendJson(response, 200, described);
    }
    relay(response, answer);
  });
  return {
    endpoint: server.endpoint,
    calls,
    updates,
    invocations,
    script: (name, frames) => void scripts.set(name, { frames, at: 0 }),
    rollBackNextUpdate: (name, reason) => void rollbacks.set(name, reason),
    refuseNextUpdate: (name, message) => void refusals.set(name, message),
    clear() {
      calls.length = 0;
      updates.length = 0;
      invocations.length = 0;
      for (const map of [scripts, rollbacks, refusals, lastRequested, rolledBack]) map.clear();
    },
    close: async () => {
      sagemaker.destroy();
      await server.close();
    },
  };
}
