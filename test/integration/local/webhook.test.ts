import { createServer } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../../../src/local/process-group.ts';
import { notificationFromRecord } from '../../../src/local/notify/notification.ts';
import { WebhookChannel, sendNotifications } from '../../../src/local/notify/notifier.ts';
import type { ExecutionRecord } from '../../../src/local/executions/execution-record.ts';
import { webhookReceiver, type WebhookReceiver } from './helpers.ts';

const record: ExecutionRecord = {
  schemaVersion: 1,
  executionId: 'abc123',
  executionArn: 'arn',
  pipelineName: 'yolops-yolo-training-pipeline',
  status: 'Failed',
  failureReason: 'Quality gate failed: mAP50-95 is 0.1, below QualityThreshold 0.5',
  failedStep: 'QualityGateFailed',
  startedAt: '2026-11-23T10:00:00.000Z',
  parameters: {},
  steps: [],
  decisions: [],
  notifications: [],
  ignored: [],
  definitionSha256: 'x',
};

let receiver: WebhookReceiver;
beforeEach(async () => {
  receiver = await webhookReceiver();
});
afterEach(async () => {
  await receiver.close();
});

describe('WebhookChannel against a real HTTP server on loopback', () => {
  it('POSTs the notification as JSON', async () => {
    const records = await sendNotifications([new WebhookChannel(receiver.url)], notificationFromRecord(record));
    expect(records).toEqual([{ channel: 'webhook', ok: true, at: expect.any(String), detail: 'HTTP 200' }]);
    expect(receiver.received).toEqual([
      { method: 'POST', contentType: 'application/json', body: expect.objectContaining({ event: 'pipeline.failed', executionId: 'abc123', failureReason: record.failureReason, failedStep: 'QualityGateFailed' }) },
    ]);
  });

  it('retries a 5xx answer, then succeeds', async () => {
    receiver.answers.push(503, 500);
    const records = await sendNotifications([new WebhookChannel(receiver.url, { retryDelayMs: 10 })], notificationFromRecord(record));
    expect(records[0]?.ok).toBe(true);
    expect(receiver.received).toHaveLength(1);
  });

  it('reports a 4xx answer at once, with the status and body, and keeps the token out of the message', async () => {
    receiver.answers.push(404);
    const [result] = await sendNotifications([new WebhookChannel(receiver.url, { retryDelayMs: 10 })], notificationFromRecord(record));
    expect(result).toMatchObject({ channel: 'webhook', ok: false });
    expect(result?.error).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/hooks\/yolops answered HTTP 404 \(attempt 1\/3\): status 404$/);
    expect(result?.error).not.toContain('secret');
    expect(receiver.received).toEqual([]);
  });

  it('reports a refused connection after its attempts', async () => {
    const port = await freeLoopbackPort();
    const [result] = await sendNotifications([new WebhookChannel(`http://127.0.0.1:${port}/x`, { attempts: 2, retryDelayMs: 10 })], notificationFromRecord(record));
    expect(result?.ok).toBe(false);
    expect(result?.error).toMatch(/failed \(attempt 2\/2\): fetch failed: .*ECONNREFUSED/);
  });

  it('reports a server that does not answer in time', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = address && typeof address === 'object' ? address.port : 0;
    try {
      const [result] = await sendNotifications([new WebhookChannel(`http://127.0.0.1:${port}/`, { attempts: 1, timeoutMs: 200 })], notificationFromRecord(record));
      expect(result?.ok).toBe(false);
      expect(result?.error).toMatch(/timeout|aborted/i);
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
