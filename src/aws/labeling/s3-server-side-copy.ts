import { CopyObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { S3RequestError } from '../errors.ts';
import { serviceErrorInfo } from '../sdk-errors.ts';

/**
 * Copies objects inside one bucket with CopyObject: S3 copies the bytes itself, so a thousand images cost a
 * thousand small requests and no transfer through the caller. One request copies up to 5 GB, far above Ground
 * Truth's 40 MB per image; the copy keeps the source's content type. Tags are not copied (TaggingDirective
 * REPLACE with none): copying them would need s3:PutObjectTagging as well, and a labelled-data version has no use
 * for the raw image's tags.
 */
export class S3ServerSideCopy {
  private readonly client: S3Client;

  constructor(client: S3Client) {
    this.client = client;
  }

  async copy(bucket: string, from: string, to: string): Promise<void> {
    try {
      await this.client.send(new CopyObjectCommand({ Bucket: bucket, Key: to, CopySource: `${bucket}/${encodeURIComponent(from).replace(/%2F/g, '/')}`, TaggingDirective: 'REPLACE' }));
    } catch (error) {
      const info = serviceErrorInfo(error);
      throw new S3RequestError(
        { operation: 'CopyObject', bucket, key: to, ...(info ? { s3Code: info.name } : {}), ...(info?.httpStatus === undefined ? {} : { httpStatus: info.httpStatus }), detail: `copying from ${from}: ${info ? `${info.name}: ${info.message}` : String(error)}` },
        { cause: error },
      );
    }
  }
}
