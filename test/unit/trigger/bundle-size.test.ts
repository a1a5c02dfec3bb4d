import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Role } from 'aws-cdk-lib/aws-iam';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { afterAll, expect, it } from 'vitest';
import { TrainingTrigger } from '../../../src/infra/constructs/training-trigger.ts';
import { environmentPolicy } from '../../../src/infra/environment.ts';
import { REPO_ROOT } from '../../../src/local/layout.ts';

/** The trigger Lambda's code must stay small: a cold start loads and parses all of it. */
const MAX_BUNDLE_BYTES = 1_048_576;

const outdir = mkdtempSync(join(tmpdir(), 'yolops-bundle-size-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

// The construct alone, with cdk.json's feature flags (they decide which packages stay outside the bundle): its
// NodejsFunction runs esbuild on the handler exactly as a deployment does and stages the bundle in the assembly
// folder while it is constructed, so no synth is needed (about 3 s in all on a 2-core machine).
it('bundles the trigger handler, as its construct does, into at most 1 MiB', () => {
  const context = (JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
  const app = new App({ outdir, context: Object.fromEntries(Object.entries(context).filter(([key]) => key.includes(':'))) });
  const stack = new Stack(app, 'BundleSize', { env: { account: '123456789012', region: 'ap-southeast-2' } });
  new TrainingTrigger(stack, 'Trigger', {
    functionName: 'yolops-training-trigger',
    logGroupName: '/aws/lambda/yolops-training-trigger',
    role: Role.fromRoleName(stack, 'Role', 'yolops-lambda-execution-role', { mutable: false }),
    trainingDataBucket: Bucket.fromBucketName(stack, 'Bucket', 'yolops-training-data-123456789012'),
    pipelineName: 'yolops-yolo-training-pipeline',
    notificationsTopic: Topic.fromTopicArn(stack, 'Topic', 'arn:aws:sns:ap-southeast-2:123456789012:yolops-notifications'),
    environment: environmentPolicy('dev'),
    datasetUploadRuleName: 'yolops-dataset-upload-trigger',
    sampleDatasetRuleName: 'yolops-sample-dataset-trigger',
    labeledDataUploadRuleName: 'yolops-labeled-data-trigger',
    queueName: 'yolops-training-trigger',
    deadLetterQueueName: 'yolops-training-trigger-dlq',
    quietPeriod: Duration.minutes(2),
  });

  const bundles = readdirSync(outdir).filter((dir) => dir.startsWith('asset.') && existsSync(join(outdir, dir, 'index.mjs')));
  expect(bundles).toHaveLength(1);
  const bytes = statSync(join(outdir, bundles[0] as string, 'index.mjs')).size;
  expect(bytes, `the trigger bundle is ${bytes} bytes; node bench/trigger-bundle.ts lists what takes the room`).toBeLessThanOrEqual(MAX_BUNDLE_BYTES);
});
