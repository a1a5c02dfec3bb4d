import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GROUND_TRUTH_ACCOUNTS } from '../../../src/core/labeling/builtin-task-functions.ts';
import { resourceNames } from '../../../src/core/naming.ts';
import { startLabelingJobsProxy, type LabelingJobsProxy } from '../aws/labeling-jobs-proxy.ts';
import { MOTO_ACCOUNT, MOTO_REGION, startMoto, type MotoServer } from '../aws/moto.ts';
import { makeProject, motoEnv, REPO, type CliResult } from './aws-cli.ts';

/**
 * `yolops label start` and `label status` as a person runs them: the real CLI process, S3 in moto (the images, the
 * files the command writes), and CreateLabelingJob / DescribeLabelingJob answered by LabelingJobsProxy because moto
 * has no labeling jobs; the proxy checks each CreateLabelingJob against the API's own shapes (botocore's service
 * model) and refuses one that breaks them, as SageMaker would.
 */
const names = resourceNames({ project_name: 'yolops', aws_account_id: MOTO_ACCOUNT });
const BUCKET = names.trainingDataBucket;
const BATCH = `s3://${BUCKET}/raw-images/street/`;
const WORKTEAM = `arn:aws:sagemaker:${MOTO_REGION}:${MOTO_ACCOUNT}:workteam/private-crowd/labelers`;

let moto: MotoServer;
let proxy: LabelingJobsProxy;
let s3: S3Client;
let project: string;

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startLabelingJobsProxy(moto.endpoint, MOTO_ACCOUNT, MOTO_REGION);
  s3 = new S3Client({ ...moto.clientConfig, maxAttempts: 1 });
  project = makeProject();
}, 90_000);
afterAll(async () => {
  s3?.destroy();
  await proxy?.close();
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
  proxy.clear();
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  for (const key of ['raw-images/street/a.jpg', 'raw-images/street/b.PNG', 'raw-images/street/night/c.jpeg', 'raw-images/street/notes.txt', 'raw-images/other/d.jpg']) await put(key, `bytes of ${key}`);
});

async function put(key: string, body: string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}

async function text(key: string): Promise<string> {
  return (await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body?.transformToString()) ?? '';
}

async function keys(prefix: string): Promise<string[]> {
  return ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))).Contents ?? []).map((o) => o.Key ?? '');
}

/** Asynchronous: the proxy answers from this process, so a synchronous spawn would wait on itself. */
function yolops(args: string[], cwd = project): Promise<CliResult> {
  const env = motoEnv(undefined, { AWS_ENDPOINT_URL: proxy.endpoint, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: MOTO_REGION });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO, 'bin', 'yolops.js'), ...args], { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const start = (...extra: string[]) => yolops(['--target', 'aws', 'label', 'start', '--images', BATCH, '--classes', 'car,person', ...extra]);

function expectUserError(result: CliResult, pattern: RegExp): void {
  expect(result.status, result.stderr).toBe(2);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(/^yolops: /);
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe('yolops label start', () => {
  it('writes the input manifest, the label categories and the worker template, then creates a job SageMaker\'s shapes accept', async () => {
    const result = await start('--workteam', WORKTEAM, '--instructions', 'Box <every> car & person');
    expect(result.status, result.stderr).toBe(0);
    const job = /labeling job (yolops-street-\d{14}) started: 3 images \(1 other files under the prefix left out\), 1 worker\(s\) per image/.exec(result.stdout)?.[1];
    expect(job, result.stdout).toBeDefined();
    expect(result.stdout).toContain(`console: https://${MOTO_REGION}.console.aws.amazon.com/sagemaker/groundtruth?region=${MOTO_REGION}#/labeling-jobs/details/${job}`);
    expect(result.stdout).toContain(`labels:  s3://${BUCKET}/labeling/${job}/manifests/output/output.manifest`);
    expect(result.stdout).toContain(`s3://${BUCKET}/labeled-data/${job}/, which starts one training`);

    expect(proxy.refused).toEqual([]);
    expect(proxy.created).toHaveLength(1);
    const account = GROUND_TRUTH_ACCOUNTS[MOTO_REGION];
    expect(proxy.created[0]).toEqual({
      LabelingJobName: job,
      LabelAttributeName: 'bounding-box',
      InputConfig: { DataSource: { S3DataSource: { ManifestS3Uri: `s3://${BUCKET}/labeling/${job}/input.manifest` } } },
      OutputConfig: { S3OutputPath: `s3://${BUCKET}/labeling/` },
      RoleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/yolops-labeling-role`,
      LabelCategoryConfigS3Uri: `s3://${BUCKET}/labeling/${job}/categories.json`,
      HumanTaskConfig: {
        WorkteamArn: WORKTEAM,
        UiConfig: { UiTemplateS3Uri: `s3://${BUCKET}/labeling/${job}/template.liquid.html` },
        PreHumanTaskLambdaArn: `arn:aws:lambda:${MOTO_REGION}:${account}:function:PRE-BoundingBox`,
        TaskTitle: 'Draw boxes: car, person',
        TaskDescription: 'Draw a box around every car, person in the image',
        NumberOfHumanWorkersPerDataObject: 1,
        TaskTimeLimitInSeconds: 600,
        TaskAvailabilityLifetimeInSeconds: 864000,
        MaxConcurrentTaskCount: 1000,
        AnnotationConsolidationConfig: { AnnotationConsolidationLambdaArn: `arn:aws:lambda:${MOTO_REGION}:${account}:function:ACS-BoundingBox` },
      },
      Tags: [
        { Key: 'project', Value: 'yolops' },
        { Key: 'environment', Value: 'dev' },
        { Key: 'managed-by', Value: 'yolops-cli' },
        { Key: 'yolops-images', Value: BATCH },
      ],
    });

    expect(await text(`labeling/${job}/input.manifest`)).toBe(
      ['raw-images/street/a.jpg', 'raw-images/street/b.PNG', 'raw-images/street/night/c.jpeg'].map((k) => `{"source-ref":"s3://${BUCKET}/${k}"}\n`).join(''),
    );
    expect(JSON.parse(await text(`labeling/${job}/categories.json`))).toEqual({ 'document-version': '2018-11-28', labels: [{ label: 'car' }, { label: 'person' }] });
    const template = await text(`labeling/${job}/template.liquid.html`);
    expect(template).toContain('<crowd-bounding-box\n    name="boundingBox"');
    expect(template).toContain('src="{{ task.input.taskObject | grant_read_access }}"');
    expect(template).toContain('header="Draw boxes: car, person"');
    expect(template).toContain('<p>Box &lt;every&gt; car &amp; person</p>');
  });

  it('takes the work team from cdk.json, a --name, and prints JSON', async () => {
    const configured = makeProject({ labeling: { workteam_arn: WORKTEAM } } as never);
    const result = await yolops(['--target', 'aws', 'label', 'start', '--images', BATCH, '--classes', 'car', '--name', 'yolops-street-round-2', '--workers-per-image', '3', '--json'], configured);
    expect(result.status, result.stderr).toBe(0);
    const printed = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(printed).toMatchObject({ job: 'yolops-street-round-2', images: 3, arn: `arn:aws:sagemaker:${MOTO_REGION}:${MOTO_ACCOUNT}:labeling-job/yolops-street-round-2`, versionUri: `s3://${BUCKET}/labeled-data/yolops-street-round-2/` });
    expect(proxy.created[0]).toMatchObject({ LabelingJobName: 'yolops-street-round-2', HumanTaskConfig: { WorkteamArn: WORKTEAM, NumberOfHumanWorkersPerDataObject: 3 } });
  });

  it('--dry-run checks and prints the plan but writes and creates nothing', async () => {
    const result = await start('--workteam', WORKTEAM, '--name', 'yolops-dry', '--dry-run', '--json');
    expect(result.status, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout) as { dryRun: boolean; request: { LabelingJobName: string }; files: { uri: string }[] };
    expect(plan.dryRun).toBe(true);
    expect(plan.request.LabelingJobName).toBe('yolops-dry');
    expect(plan.files.map((f) => f.uri)).toEqual(['input.manifest', 'categories.json', 'template.liquid.html'].map((f) => `s3://${BUCKET}/labeling/yolops-dry/${f}`));
    expect(await keys('labeling/')).toEqual([]);
    expect(proxy.targets.filter((t) => t.startsWith('SageMaker.'))).toEqual([]);
  });

  it('refuses a job name in use, leaving the first job\'s files as they were', async () => {
    expect((await start('--workteam', WORKTEAM, '--name', 'yolops-once')).status).toBe(0);
    const before = await keys('labeling/yolops-once/');
    const again = await start('--workteam', WORKTEAM, '--name', 'yolops-once', '--classes', 'bike');
    expectUserError(again, /labeling\/yolops-once\/input.manifest already exists: a labeling job named yolops-once was started before .*give another --name/);
    expect(await keys('labeling/yolops-once/')).toEqual(before);
    expect(JSON.parse(await text('labeling/yolops-once/categories.json'))).toEqual({ 'document-version': '2018-11-28', labels: [{ label: 'car' }, { label: 'person' }] });
    expect(proxy.created).toHaveLength(1);
  });

  it('removes the files it wrote when SageMaker refuses the job (a name SageMaker knows, whose files are gone)', async () => {
    expect((await start('--workteam', WORKTEAM, '--name', 'yolops-twice')).status).toBe(0);
    for (const key of await keys('labeling/yolops-twice/')) await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    expectUserError(await start('--workteam', WORKTEAM, '--name', 'yolops-twice'), /a labeling job named yolops-twice already exists in us-east-1 .*give another --name/);
    expect(await keys('labeling/yolops-twice/')).toEqual([]);
  });

  it.each([
    ['an empty prefix', ['--images', `s3://${BUCKET}/raw-images/nothing-here/`], /raw-images\/nothing-here\/: nothing is there; upload the images to label first/],
    ['a prefix outside the training bucket', ['--images', 's3://elsewhere/raw-images/street/'], /is not in the training bucket yolops-training-data-123456789012/],
    ['a prefix outside raw-images/', ['--images', `s3://${BUCKET}/split_dataset/v1/`], /is not a batch folder under raw-images\//],
    ['a class named twice', ['--classes', 'car,person,car'], /--classes names "car" twice/],
    ['an empty class', ['--classes', 'car,,person'], /--classes has an empty class name \(position 2/],
    ['a name without the project prefix', ['--name', 'street-batch'], /must start with "yolops-"/],
    ['an uppercase name', ['--name', 'yolops-Street'], /must be lowercase letters, digits and single hyphens/],
    ['a work team of another region', ['--workteam', 'arn:aws:sagemaker:eu-west-1:123456789012:workteam/private-crowd/labelers'], /is a work team of account 123456789012 in eu-west-1; the job runs in account 123456789012 in us-east-1/],
    ['a malformed work team', ['--workteam', 'labelers'], /--workteam labelers is not a SageMaker work team ARN/],
    ['ten workers per image', ['--workers-per-image', '10'], /--workers-per-image is 10: Ground Truth takes 1 to 9/],
    ['a task time limit under 30 s', ['--task-time-limit', '10'], /--task-time-limit is 10: Ground Truth takes 30 to 28800/],
  ] as [string, string[], RegExp][])('refuses %s in one line, exit 2, and creates nothing', async (_case, args, pattern) => {
    const result = await start(...(args.includes('--workteam') ? [] : ['--workteam', WORKTEAM]), ...args);
    expectUserError(result, pattern);
    expect(proxy.created).toEqual([]);
    expect(await keys('labeling/')).toEqual([]);
  });

  it('refuses images Ground Truth\'s bounding-box tool cannot show', async () => {
    await put('raw-images/street/e.webp', 'webp bytes');
    expectUserError(await start('--workteam', WORKTEAM), /1 images are in a format Ground Truth's bounding-box tool cannot show \(e.g. raw-images\/street\/e.webp\); it shows .jpg, .jpeg, .png only/);
  });

  it('says where to set the work team when none is given', async () => {
    expectUserError(await start(), /no work team: give --workteam .* or set it once in cdk.json as "labeling": \{"workteam_arn": "..."\}/);
  });

  it('refuses a cdk.json labeling work team of another account', async () => {
    const other = makeProject({ labeling: { workteam_arn: 'arn:aws:sagemaker:us-east-1:999999999999:workteam/private-crowd/labelers' } } as never);
    const result = await yolops(['--target', 'aws', 'label', 'start', '--images', BATCH, '--classes', 'car'], other);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/context\.labeling\.workteam_arn: is a work team of account 999999999999 in us-east-1, but the stacks deploy to account 123456789012 in us-east-1/);
  });

  it('runs on the aws target only', async () => {
    expectUserError(await yolops(['label', 'start', '--images', BATCH, '--classes', 'car']), /label start runs SageMaker Ground Truth, which exists in AWS only: use --target aws/);
  });
});

describe('yolops label status', () => {
  it('prints a started job\'s status, and a completed job\'s counters and output', async () => {
    expect((await start('--workteam', WORKTEAM, '--name', 'yolops-watch')).status).toBe(0);
    const running = await yolops(['--target', 'aws', 'label', 'status', 'yolops-watch']);
    expect(running.status, running.stderr).toBe(0);
    expect(running.stdout).toContain('labeling job yolops-watch: InProgress');

    proxy.describeAs('yolops-watch', {
      LabelingJobName: 'yolops-watch',
      LabelingJobArn: `arn:aws:sagemaker:${MOTO_REGION}:${MOTO_ACCOUNT}:labeling-job/yolops-watch`,
      LabelingJobStatus: 'Completed',
      LabelCounters: { TotalLabeled: 3, HumanLabeled: 2, MachineLabeled: 1, FailedNonRetryableError: 0, Unlabeled: 0 },
      CreationTime: 1772359200,
      LastModifiedTime: 1772363000,
      LabelingJobOutput: { OutputDatasetS3Uri: `s3://${BUCKET}/labeling/yolops-watch/manifests/output/output.manifest` },
    });
    const done = await yolops(['--target', 'aws', 'label', 'status', 'yolops-watch', '--json']);
    expect(done.status, done.stderr).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({
      name: 'yolops-watch',
      status: 'Completed',
      counters: { total: 3, human: 2, machine: 1, failed: 0, unlabeled: 0 },
      outputManifestUri: `s3://${BUCKET}/labeling/yolops-watch/manifests/output/output.manifest`,
    });
  });

  it('says so for a job that does not exist', async () => {
    expectUserError(await yolops(['--target', 'aws', 'label', 'status', 'yolops-nope']), /labeling job yolops-nope does not exist in us-east-1/);
  });
});
