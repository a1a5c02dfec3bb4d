import { describe, expect, it } from 'vitest';
import type { NotificationChannel } from '../../../../src/core/notify/notification-channel.ts';
import { summaryLine } from '../../../../src/core/notify/pipeline-notification.ts';
import type { ExecutionRecord } from '../../../../src/local/executions/execution-record.ts';
import { notificationFromRecord } from '../../../../src/local/notify/notification.ts';
import { ConsoleChannel, WebhookChannel, channelsFromEnv, sendNotifications } from '../../../../src/local/notify/notifier.ts';

const base: ExecutionRecord = {
  schemaVersion: 1,
  executionId: 'abc',
  executionArn: 'arn',
  pipelineName: 'yolops-pipeline',
  status: 'Succeeded',
  startedAt: '2026-11-23T10:00:00.000Z',
  endedAt: '2026-11-23T10:01:00.000Z',
  durationSeconds: 60,
  parameters: {},
  steps: [],
  decisions: [],
  notifications: [],
  ignored: [],
  definitionSha256: 'x',
  registeredModel: { modelPackageGroupName: 'g', version: 3, modelPackageArn: 'arn:g/3', approvalStatus: 'PendingManualApproval' },
  mlflow: { trackingUri: 'http://127.0.0.1:5000', runUrl: 'http://127.0.0.1:5000/#/experiments/1/runs/r' },
};
const failed: ExecutionRecord = { ...base, status: 'Failed', failedStep: 'QualityGateFailed', failureReason: 'mAP50-95 0.1 below 0.5', registeredModel: undefined };
delete failed.registeredModel;

describe('notification content', () => {
  it('carries the outcome, the model version with its metrics and the MLflow run', () => {
    const n = notificationFromRecord(base, { metrics: { mAP50_95: 0.61234 }, executionDir: '/x' });
    expect(n).toMatchObject({ event: 'pipeline.succeeded', executionId: 'abc', status: 'Succeeded', registeredModel: { version: 3, metrics: { mAP50_95: 0.61234 } }, mlflowRunUrl: base.mlflow?.runUrl, executionDir: '/x' });
    expect(summaryLine(n)).toBe('yolops: execution abc of yolops-pipeline succeeded in 60.0 s; registered g version 3 (PendingManualApproval, mAP50-95 0.6123)');
  });

  it('carries the failure reason and step', () => {
    const n = notificationFromRecord(failed);
    expect(n).toMatchObject({ event: 'pipeline.failed', failureReason: 'mAP50-95 0.1 below 0.5', failedStep: 'QualityGateFailed' });
    expect(n.registeredModel).toBeUndefined();
    expect(summaryLine(n)).toBe('yolops: execution abc of yolops-pipeline FAILED in 60.0 s at step QualityGateFailed: mAP50-95 0.1 below 0.5');
  });
});

describe('sendNotifications', () => {
  it('sends to every channel and records failures instead of throwing', async () => {
    const lines: string[] = [];
    const broken: NotificationChannel = {
      name: 'broken',
      send: async () => {
        throw new Error('connection refused');
      },
    };
    const records = await sendNotifications([new ConsoleChannel((l) => lines.push(l)), broken], notificationFromRecord(failed));
    expect(lines).toEqual([expect.stringMatching(/FAILED .* mAP50-95 0.1 below 0.5/)]);
    expect(records).toEqual([
      { channel: 'console', ok: true, at: expect.any(String) },
      { channel: 'broken', ok: false, at: expect.any(String), error: 'connection refused' },
    ]);
  });
});

describe('channelsFromEnv and WebhookChannel', () => {
  it('adds a webhook only when YOLOPS_WEBHOOK_URL is set', () => {
    expect(channelsFromEnv({}).map((c) => c.name)).toEqual(['console']);
    expect(channelsFromEnv({ YOLOPS_WEBHOOK_URL: '  ' }).map((c) => c.name)).toEqual(['console']);
    expect(channelsFromEnv({ YOLOPS_WEBHOOK_URL: 'http://127.0.0.1:9/hook' }).map((c) => c.name)).toEqual(['console', 'webhook']);
  });

  it('refuses URLs that are not http(s)', () => {
    expect(() => new WebhookChannel('not a url')).toThrow(/is not a URL/);
    expect(() => new WebhookChannel('file:///etc/passwd')).toThrow(/must be http\(s\)/);
  });
});
