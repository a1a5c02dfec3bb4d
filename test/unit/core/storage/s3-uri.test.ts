import { describe, expect, it } from 'vitest';
import { keyProblem } from '../../../../src/core/storage/keys.ts';
import { formatS3Uri, joinKey, normalizePrefix, parseS3Uri } from '../../../../src/core/storage/s3-uri.ts';

describe('s3 URIs', () => {
  it('parses bucket and key, keeping a prefix slash', () => {
    expect(parseS3Uri('s3://my-bucket/split_dataset/2026-11-23/')).toEqual({ bucket: 'my-bucket', key: 'split_dataset/2026-11-23/' });
    expect(parseS3Uri('s3://my-bucket/a.txt')).toEqual({ bucket: 'my-bucket', key: 'a.txt' });
    expect(parseS3Uri('s3://my-bucket')).toEqual({ bucket: 'my-bucket', key: '' });
    expect(parseS3Uri('s3://my-bucket/')).toEqual({ bucket: 'my-bucket', key: '' });
  });

  it('says what is wrong with text that is not an S3 URI', () => {
    expect(() => parseS3Uri('https://x/y')).toThrow(/does not start with "s3:\/\/"/);
    expect(() => parseS3Uri('s3:///key')).toThrow(/bucket is missing/);
  });

  it('formats, joins and normalizes', () => {
    expect(formatS3Uri('b', 'k/x.txt')).toBe('s3://b/k/x.txt');
    expect(formatS3Uri('b')).toBe('s3://b/');
    expect(joinKey('a/', '/b/', 'c.txt')).toBe('a/b/c.txt');
    expect(joinKey('', 'data.yaml')).toBe('data.yaml');
    expect(joinKey('p/', '')).toBe('p');
    expect(normalizePrefix('/a/b')).toBe('a/b/');
    expect(normalizePrefix('')).toBe('');
    expect(normalizePrefix('/')).toBe('');
  });
});

describe('keys', () => {
  it('accepts ordinary keys and explains each refusal', () => {
    expect(keyProblem('split_dataset/v1/images/train/a b.jpg')).toBeUndefined();
    expect(keyProblem('x/../y')).toMatch(/".." segment/);
    expect(keyProblem('/x')).toMatch(/starts with "\/"/);
    expect(keyProblem('x/')).toMatch(/ends with "\/"/);
    expect(keyProblem('x'.repeat(1025))).toMatch(/1024 bytes/);
  });
});
