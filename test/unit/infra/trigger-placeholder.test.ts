import type { EventBridgeEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler, NOT_IMPLEMENTED_MESSAGE, type S3ObjectCreatedDetail } from '../../../src/trigger/handler.ts';

type ObjectCreated = EventBridgeEvent<'Object Created', S3ObjectCreatedDetail>;

function objectCreated(detail: unknown): ObjectCreated {
  return { 'detail-type': 'Object Created', source: 'aws.s3', detail } as ObjectCreated;
}

describe('the placeholder trigger handler', () => {
  it('fails every invocation, naming the object that did not start a training', async () => {
    const event = objectCreated({
      bucket: { name: 'yolops-training-data-123456789012' },
      object: { key: 'split_dataset/v1/data.yaml' },
    });
    const failure = await handler(event).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toBe(
      `${NOT_IMPLEMENTED_MESSAGE}: no training was started for s3://yolops-training-data-123456789012/split_dataset/v1/data.yaml`,
    );
  });

  it('still fails loudly on an event without the S3 detail, instead of a TypeError', async () => {
    await expect(handler(objectCreated(undefined))).rejects.toThrow(`${NOT_IMPLEMENTED_MESSAGE}: no training was started for s3://?/?`);
    await expect(handler(objectCreated({ bucket: { name: 'b' } }))).rejects.toThrow('no training was started for s3://b/?');
  });
});
