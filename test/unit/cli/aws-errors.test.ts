import { describe, expect, it } from 'vitest';
import { S3RequestError } from '../../../src/aws/errors.ts';
import { isUserError } from '../../../src/core/errors.ts';
import { explainAwsFailure } from '../../../src/cli/aws-errors.ts';

/** An error shaped as the AWS SDK throws them (name, message, $metadata). */
function serviceError(name: string, message: string, status = 403): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

describe('explainAwsFailure', () => {
  it.each([
    ['CredentialsProviderError', 'Could not load credentials from any providers', /^no AWS credentials found/],
    ['ExpiredToken', 'The security token included in the request is expired', /^your AWS credentials have expired \(ExpiredToken\)/],
    ['InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist', /^AWS refused the credentials \(InvalidAccessKeyId: /],
    ['AccessDeniedException', 'User: arn:aws:iam::1:user/x is not authorized to perform: sagemaker:UpdatePipeline\nmore', /^AWS denied the request \(AccessDeniedException: User: .* sagemaker:UpdatePipeline\): /],
  ])('turns %s into one line for the person, kept as the cause', (name, message, expected) => {
    const original = serviceError(name, message);
    const explained = explainAwsFailure(original) as Error;
    expect(isUserError(explained)).toBe(true);
    expect(explained.message).toMatch(expected);
    expect(explained.message).not.toContain('\n');
    expect(explained.cause).toBe(original);
  });

  it('reads through the adapters that wrap SDK errors', () => {
    const denied = serviceError('AccessDenied', 'Access Denied');
    const wrapped = new S3RequestError({ operation: 'PutObject', bucket: 'b', key: 'k', s3Code: 'AccessDenied', httpStatus: 403, detail: 'Access Denied' }, { cause: denied });
    expect((explainAwsFailure(wrapped) as Error).message).toMatch(/^AWS denied the request \(AccessDenied: Access Denied\)/);
  });

  it('names the host that did not answer', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED', address: '127.0.0.1' });
    expect((explainAwsFailure(new Error('request failed', { cause: refused })) as Error).message).toBe(
      'cannot reach AWS at 127.0.0.1 (ECONNREFUSED): check the network, AWS_REGION and AWS_ENDPOINT_URL',
    );
  });

  it('leaves every other error as it is', () => {
    const bug = new TypeError('x is undefined');
    expect(explainAwsFailure(bug)).toBe(bug);
    const throttled = serviceError('ThrottlingException', 'Rate exceeded', 400);
    expect(explainAwsFailure(throttled)).toBe(throttled);
  });
});
