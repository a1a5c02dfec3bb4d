import { synthesizeDataset } from '../../../../src/core/dataset/index.ts';
import { listAll } from '../../../../src/core/storage/object-store.ts';
import type { TrainingConfig } from '../../../../src/core/config/training-config.ts';
import type { MessagePublisher, PipelineStarter, PublishedMessage, RecheckScheduler, StartExecutionRequest, UploadsInProgress } from '../../../../src/core/trigger/ports.ts';
import type { TriggerDeps, TriggerLog } from '../../../../src/core/trigger/process-version.ts';
import { MemoryObjectStore } from '../../../fixtures/datasets/memory-object-store.ts';

export const BUCKET = 'yolops-training-data-123456789012';
export const PIPELINE = 'yolops-yolo-training-pipeline';
export const QUIET_MS = 120_000;

/**
 * The trigger's core over an in-memory bucket, with recording stand-ins for SageMaker, SNS and SQS (the
 * integration tests run the same code over moto). `advance` moves the trigger's clock, not the objects'.
 */
export class TriggerHarness {
  readonly store = new MemoryObjectStore(BUCKET);
  readonly starts: StartExecutionRequest[] = [];
  readonly messages: PublishedMessage[] = [];
  readonly rechecks: { versionRoot: string; delaySeconds: number }[] = [];
  readonly logs: { level: string; message: string }[] = [];
  uploadsInProgress = false;
  /** Errors the next starts throw, in order. */
  startErrors: Error[] = [];
  offsetMs = 0;

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  deps(overrides: Partial<TriggerDeps['settings']> = {}): TriggerDeps {
    const starter: PipelineStarter = {
      startExecution: async (request) => {
        const error = this.startErrors.shift();
        if (error) throw error;
        this.starts.push(request);
        return { executionArn: `arn:aws:sagemaker:us-east-1:123456789012:pipeline/${PIPELINE}/execution/${this.starts.length}` };
      },
    };
    const publisher: MessagePublisher = { publish: async (m) => void this.messages.push(m) };
    const rechecks: RecheckScheduler = { schedule: async (r, delaySeconds) => void this.rechecks.push({ versionRoot: r.versionRoot, delaySeconds }) };
    const uploads: UploadsInProgress = { anyUnder: async () => this.uploadsInProgress };
    const record = (level: string): TriggerLog['info'] => (message) => void this.logs.push({ level, message });
    return {
      store: this.store,
      uploads,
      starter,
      publisher,
      rechecks,
      settings: { trainingBucket: BUCKET, pipelineName: PIPELINE, quietPeriodMs: QUIET_MS, configKey: 'config/training-config.json', claimStaleMs: 900_000, validationConcurrency: 8, ...overrides },
      configParameters: (config: TrainingConfig) => ({ Epochs: String(config.epochs), TrainingInstanceType: config.instance_type }),
      log: { info: record('info'), warn: record('warn'), error: record('error') },
      now: () => new Date(Date.now() + this.offsetMs),
    };
  }

  async dataset(version: string, seed = 1, prefix = 'split_dataset/'): Promise<string> {
    await synthesizeDataset({ store: this.store, bucket: BUCKET, prefix: `${prefix}${version}/`, trainImages: 6, valImages: 2, imageSize: 32, seed });
    return `${prefix}${version}/`;
  }

  async eventsOf(root: string): Promise<{ messageId: string; body: string }[]> {
    return (await listAll(this.store, BUCKET, root)).map((o, i) => ({ messageId: `${root}#${i}`, body: s3Event(BUCKET, o.key) }));
  }
}

/** An S3 Object Created event as EventBridge puts it on the queue (the fields the trigger reads). */
export function s3Event(bucket: string, key: string, extra: { size?: number; etag?: string } = {}): string {
  return JSON.stringify({ version: '0', source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: bucket }, object: { key, ...extra } } });
}
