import { ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3';
import type { UploadsInProgress } from '../core/trigger/ports.ts';

/**
 * Multipart uploads S3 has started and not completed. A large file of an `aws s3 sync` is uploaded in parts and
 * becomes visible (and gets its LastModified, the time the upload *started*) only when it completes: while it is
 * in progress a version can look complete and quiet without it.
 */
export class S3UploadsInProgress implements UploadsInProgress {
  private readonly client: S3Client;

  constructor(client: S3Client) {
    this.client = client;
  }

  async anyUnder(bucket: string, prefix: string): Promise<boolean> {
    const answer = await this.client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix, MaxUploads: 1 }));
    return (answer.Uploads?.length ?? 0) > 0;
  }
}
