import type { EventBridgeEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler, NOT_IMPLEMENTED_MESSAGE, type S3ObjectCreatedDetail } from '../../../src/trigger/handler.ts';

describe('the placeholder trigger handler (issue 5 replaces it)', () => {
  it('fails loudly, naming the object that did not start a training', async () => {
    const event = {
      'detail-type': 'Object Created',
      source: 'aws.s3',
      detail: { bucket: { name: 'yolops-training-data-123456789012' }, object: { key: 'split_dataset/v1/data.yaml' } },
    } as EventBridgeEvent<'Object Created', S3ObjectCreatedDetail>;
    await expect(handler(event)).rejects.toThrow(NOT_IMPLEMENTED_MESSAGE);
    await expect(handler(event)).rejects.toThrow('s3://yolops-training-data-123456789012/split_dataset/v1/data.yaml');
    expect(NOT_IMPLEMENTED_MESSAGE).toBe('S3 trigger handler not implemented yet (issue 5)');
  });
});
