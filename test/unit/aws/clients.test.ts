import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { createS3Client, createSageMakerClient, createSnsClient, createSqsClient, S3_MAX_SOCKETS } from '../../../src/aws/clients.ts';

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/**
 * A loopback HTTP server that holds every request until `release` are open at once (or a second has passed),
 * then answers them all with an empty 200, which is a successful HeadBucket. It records the most requests it
 * held at the same time: what the client's socket pool let through.
 */
async function holdingServer(release: number): Promise<{ endpoint: string; peak: () => number }> {
  const held: ServerResponse[] = [];
  let peak = 0;
  const answerAll = (): void => {
    for (const response of held.splice(0)) response.writeHead(200, { 'content-length': '0' }).end();
  };
  const server = createServer((_request, response) => {
    held.push(response);
    peak = Math.max(peak, held.length);
    if (held.length >= release) answerAll();
    else setTimeout(answerAll, 1000);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, peak: () => peak };
}

describe('createS3Client', () => {
  it('keeps as many requests in flight as the validator sends at once, beyond the SDK default of 50', async () => {
    const server = await holdingServer(S3_MAX_SOCKETS);
    const client = createS3Client({ endpoint: server.endpoint, region: 'eu-west-1', credentials });
    closers.unshift(async () => client.destroy());
    await Promise.all(Array.from({ length: S3_MAX_SOCKETS }, () => client.send(new HeadBucketCommand({ Bucket: 'some-bucket' }))));
    expect(server.peak()).toBe(S3_MAX_SOCKETS);
  });

  it('addresses buckets by path with a custom endpoint and by host name on AWS', async () => {
    const local = createS3Client({ endpoint: 'http://127.0.0.1:4566', region: 'eu-west-1', credentials });
    const aws = createS3Client({ region: 'eu-west-1', credentials });
    closers.push(async () => local.destroy(), async () => aws.destroy());
    expect(local.config.forcePathStyle).toBe(true);
    expect(aws.config.forcePathStyle).toBe(false);
    expect(await local.config.region()).toBe('eu-west-1');
    expect(await local.config.credentials()).toMatchObject(credentials);
  });
});

describe('the other clients', () => {
  it('take the region, endpoint and credentials of the connection', async () => {
    const connection = { endpoint: 'http://127.0.0.1:5000', region: 'us-west-2', credentials };
    for (const client of [createSageMakerClient(connection), createSnsClient(connection), createSqsClient(connection)]) {
      closers.push(async () => client.destroy());
      expect(await client.config.region()).toBe('us-west-2');
      expect(await client.config.endpoint?.()).toMatchObject({ hostname: '127.0.0.1', port: 5000, protocol: 'http:' });
      expect(await client.config.credentials()).toMatchObject(credentials);
    }
  });
});
