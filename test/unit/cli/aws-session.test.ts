import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCdkContext } from '../../../src/core/config/cdk-context.ts';
import { isUserError } from '../../../src/core/errors.ts';
import { endpointOverride, openAwsSession, resolveRegion } from '../../../src/cli/aws-session.ts';

const context = parseCdkContext({ aws_account_id: '123456789012', aws_region: 'eu-west-1', project_name: 'yolops', environment: 'dev' });

// The SDK's chains read process.env and ~/.aws themselves: point them at files this test owns.
const saved = { ...process.env };
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'yolops-aws-session-'));
  for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) Reflect.deleteProperty(process.env, name);
  process.env['AWS_CONFIG_FILE'] = join(dir, 'config');
  process.env['AWS_SHARED_CREDENTIALS_FILE'] = join(dir, 'credentials');
  process.env['AWS_EC2_METADATA_DISABLED'] = 'true';
});
afterEach(() => {
  process.env = { ...saved };
  rmSync(dir, { recursive: true, force: true });
});

describe('resolveRegion', () => {
  it("uses cdk.json's region when nothing else names one", async () => {
    expect(await resolveRegion(context, process.env)).toEqual({ region: 'eu-west-1', source: 'cdk.json' });
  });

  it('accepts AWS_REGION or the profile when they agree with cdk.json', async () => {
    expect(await resolveRegion(context, { ...process.env, AWS_REGION: 'eu-west-1' })).toEqual({ region: 'eu-west-1', source: 'AWS_REGION' });
    writeFileSync(join(dir, 'config'), '[default]\nregion = eu-west-1\n');
    expect(await resolveRegion(context, process.env)).toEqual({ region: 'eu-west-1', source: 'the AWS profile default' });
  });

  it('refuses a region other than the one the stacks are in, saying where it came from and what to do', async () => {
    const error = await resolveRegion(context, { ...process.env, AWS_DEFAULT_REGION: 'us-west-2' }).catch((e: unknown) => e);
    expect(isUserError(error)).toBe(true);
    expect((error as Error).message).toBe(
      'the AWS region is us-west-2 (from AWS_DEFAULT_REGION) but cdk.json deploys to eu-west-1: set AWS_REGION=eu-west-1, or change aws_region in cdk.json if the stacks are in us-west-2',
    );
    writeFileSync(join(dir, 'config'), '[profile ci]\nregion = us-east-2\n');
    const fromProfile = await resolveRegion(context, { ...process.env, AWS_PROFILE: 'ci' }).catch((e: unknown) => e);
    expect((fromProfile as Error).message).toMatch(/^the AWS region is us-east-2 \(from the AWS profile ci\)/);
  });
});

describe('openAwsSession', () => {
  it('fails before any request when no credentials can be found, in one line that says what to run', async () => {
    const error = await openAwsSession(context, process.env).catch((e: unknown) => e);
    expect(isUserError(error)).toBe(true);
    expect((error as Error).message).toMatch(/^no AWS credentials found .*aws configure.*aws sso login/);
    expect((error as Error).message).not.toContain('\n');
  });

  it('opens with credentials from the environment and points every client at AWS_ENDPOINT_URL', async () => {
    process.env['AWS_ACCESS_KEY_ID'] = 'testing';
    process.env['AWS_SECRET_ACCESS_KEY'] = 'testing';
    const session = await openAwsSession(context, { ...process.env, AWS_ENDPOINT_URL: 'http://127.0.0.1:1' });
    expect(session.region).toBe('eu-west-1');
    expect(session.names.trainingDataBucket).toBe('yolops-training-data-123456789012');
    expect(session.connection).toEqual({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:1' });
    const endpoint = await session.s3.config.endpoint?.();
    expect(endpoint?.hostname).toBe('127.0.0.1');
    expect(endpointOverride({ AWS_ENDPOINT_URL: '' })).toBeUndefined();
  });
});
