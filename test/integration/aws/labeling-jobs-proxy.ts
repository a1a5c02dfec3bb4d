import type { IncomingMessage, ServerResponse } from 'node:http';
import { loadServiceModel, requestProblems } from '../../support/botocore-model.ts';
import { forward, readBody, relay, sendJson, startProxyServer } from './loopback-proxy.ts';

/**
 * A loopback HTTP proxy in front of moto for what moto 5.2.5 cannot do: its SageMaker has no labeling jobs at all
 * (no CreateLabelingJob, no DescribeLabelingJob). The proxy answers those two calls itself and forwards every other
 * request to moto unchanged (S3, SNS, STS: the real copies, marker and messages happen in moto).
 *
 * CreateLabelingJob is checked against the API's own input shape, botocore's service model in .venv (required
 * members, lengths, patterns, ranges, enums); a request that breaks it is answered with SageMaker's
 * ValidationException listing every problem, one that conforms is recorded and answered with its ARN (a second
 * job of the same name is refused with ResourceInUse, as SageMaker refuses it). DescribeLabelingJob answers the
 * description a test scripted for the job, else an InProgress description of a created job, else ResourceNotFound.
 */
export interface LabelingJobsProxy {
  endpoint: string;
  /** The body of every CreateLabelingJob that conformed, in order. */
  readonly created: Record<string, unknown>[];
  /** The problems of every CreateLabelingJob that did not conform. */
  readonly refused: string[][];
  /** Every X-Amz-Target answered or forwarded, in order. */
  readonly targets: string[];
  /** Every request without an X-Amz-Target (S3's REST calls) as `METHOD path`, in order. */
  readonly restCalls: string[];
  /** From now on, DescribeLabelingJob of `name` answers `description` (the API's member names). */
  describeAs(name: string, description: Record<string, unknown>): void;
  clear(): void;
  close(): Promise<void>;
}

const MODEL = loadServiceModel('sagemaker');

export async function startLabelingJobsProxy(motoEndpoint: string, account: string, region: string): Promise<LabelingJobsProxy> {
  const upstream = new URL(motoEndpoint);
  const created: Record<string, unknown>[] = [];
  const refused: string[][] = [];
  const targets: string[] = [];
  const restCalls: string[] = [];
  const scripted = new Map<string, Record<string, unknown>>();
  const arnOf = (name: string) => `arn:aws:sagemaker:${region}:${account}:labeling-job/${name.toLowerCase()}`;

  const error = (response: ServerResponse, type: string, message: string) => sendJson(response, 400, { __type: type, message, Message: message });

  const server = await startProxyServer(async (incoming: IncomingMessage, response: ServerResponse) => {
    const body = await readBody(incoming);
    const target = String(incoming.headers['x-amz-target'] ?? '');
    if (target) targets.push(target);
    else restCalls.push(`${incoming.method ?? ''} ${decodeURIComponent((incoming.url ?? '').split('?')[0] ?? '')}`);
    if (target === 'SageMaker.CreateLabelingJob') {
      const request = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      const problems = requestProblems(MODEL, 'CreateLabelingJob', request);
      if (problems.length > 0) {
        refused.push(problems);
        return error(response, 'ValidationException', problems.join('; '));
      }
      const name = String(request['LabelingJobName']);
      if (created.some((r) => r['LabelingJobName'] === name)) return error(response, 'ResourceInUse', `Labeling job ${arnOf(name)} already exists`);
      created.push(request);
      return sendJson(response, 200, { LabelingJobArn: arnOf(name) });
    }
    if (target === 'SageMaker.DescribeLabelingJob') {
      const name = String((JSON.parse(body.toString('utf8')) as { LabelingJobName?: unknown }).LabelingJobName);
      const description = scripted.get(name);
      if (description) return sendJson(response, 200, description);
      const request = created.find((r) => r['LabelingJobName'] === name);
      if (!request) return error(response, 'ResourceNotFound', `Could not find labeling job ${arnOf(name)}`);
      const now = Date.now() / 1000;
      return sendJson(response, 200, {
        ...request,
        LabelingJobArn: arnOf(name),
        LabelingJobStatus: 'InProgress',
        LabelCounters: { TotalLabeled: 0, HumanLabeled: 0, MachineLabeled: 0, FailedNonRetryableError: 0, Unlabeled: 0 },
        CreationTime: now,
        LastModifiedTime: now,
        JobReferenceCode: 'abc123',
      });
    }
    const answer = await forward(upstream, incoming, body);
    if (incoming.method === 'HEAD') {
      // A HEAD answer has no body but the object's Content-Length: relay() would set it to the empty body's 0.
      const headers = { ...answer.headers };
      delete headers['transfer-encoding'];
      response.writeHead(answer.status, headers);
      return void response.end();
    }
    relay(response, answer);
  });
  return {
    endpoint: server.endpoint,
    created,
    refused,
    targets,
    restCalls,
    describeAs: (name, description) => void scripted.set(name, description),
    clear: () => {
      created.length = 0;
      refused.length = 0;
      targets.length = 0;
      restCalls.length = 0;
      scripted.clear();
    },
    close: server.close,
  };
}
