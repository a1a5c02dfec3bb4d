// `yolops code push --target aws` and the inference image: real CLI processes against moto's S3, ECR and
// CodeBuild on loopback. moto's CodeBuild drops StartBuild's overrides and ends every build SUCCEEDED at the first
// BatchGetBuilds, so a recording proxy (codebuild-proxy.ts) sits in front of it: it shows what StartBuild was sent
// and, where a test scripts it, makes BatchGetBuilds show a build that fails.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CodeBuildClient, CreateProjectCommand, ListBuildsForProjectCommand } from '@aws-sdk/client-codebuild';
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { CreateBucketCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resolveCodeVersion } from '../../../src/cli/code-version.ts';
import { resourceNames } from '../../../src/core/naming.ts';
import { startCodeBuildProxy, type BuildFrame, type CodeBuildProxy } from '../aws/codebuild-proxy.ts';
import { MOTO_ACCOUNT, MOTO_REGION, startMoto, type MotoServer } from '../aws/moto.ts';
import { makeLinkedProject } from './aws-cli.ts';

const repo = new URL('../../..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'yolops-code-image-'));
const names = resourceNames({ project_name: 'yolops', aws_account_id: MOTO_ACCOUNT });
const BUCKET = names.trainingDataBucket;
const ECR_TARGET = 'AmazonEC2ContainerRegistry_V20150921.';
const CODEBUILD_TARGET = 'CodeBuild_20161006.';

/** A project deployed to moto's account and region; training/ is the repository's own. */
const project = makeLinkedProject(join(work, 'project'), { aws_account_id: MOTO_ACCOUNT, project_name: 'yolops' });
const home = join(work, 'home');
mkdirSync(home);

let moto: MotoServer;
let proxy: CodeBuildProxy;
let s3: S3Client;
let ecr: ECRClient;
let codeBuild: CodeBuildClient;
let version: string;

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Asynchronous: the proxy answers from this process, so a synchronous spawn would wait on itself. */
function yolops(args: string[], target = 'aws'): Promise<Result> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'] ?? '',
    HOME: home,
    YOLOPS_HOME: join(work, 'yolops-home'),
    AWS_CONFIG_FILE: join(home, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL: proxy.endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: MOTO_REGION,
    YOLOPS_TARGET: target,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repo, 'bin', 'yolops.js'), 'code', 'push', ...args], { cwd: project, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** What the ServingStack deploys for the image: the ECR repository and the CodeBuild project. */
async function deployServing(parts: { repository?: boolean; project?: boolean } = {}): Promise<void> {
  if (parts.repository !== false) await ecr.send(new CreateRepositoryCommand({ repositoryName: names.inferenceImageRepository }));
  if (parts.project !== false) {
    await codeBuild.send(
      new CreateProjectCommand({
        name: names.inferenceImageProject,
        source: { type: 'S3', location: `${BUCKET}/code/` },
        artifacts: { type: 'NO_ARTIFACTS' },
        environment: { type: 'LINUX_CONTAINER', image: 'aws/codebuild/standard:7.0', computeType: 'BUILD_GENERAL1_MEDIUM', privilegedMode: true },
        serviceRole: `arn:aws:iam::${MOTO_ACCOUNT}:role/yolops-inference-image-build`,
      }),
    );
  }
}

const calls = (prefix: string): string[] => proxy.targets.filter((t) => t.startsWith(prefix)).map((t) => t.slice(prefix.length));

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startCodeBuildProxy(moto.endpoint);
  s3 = new S3Client(moto.clientConfig);
  ecr = new ECRClient(moto.clientConfig);
  codeBuild = new CodeBuildClient(moto.clientConfig);
  version = (await resolveCodeVersion(join(project, 'training'))).version;
});
afterAll(async () => {
  for (const client of [s3, ecr, codeBuild]) client?.destroy();
  await proxy?.close();
  await moto?.stop();
  rmSync(work, { recursive: true, force: true });
});
beforeEach(async () => {
  await moto.reset();
  proxy.targets.length = 0;
  proxy.startBuilds.length = 0;
  proxy.scriptBuilds([]);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

describe('yolops code push, aws target: the inference image', () => {
  it('starts the CodeBuild build of <repository>:<version> from the pushed bundle when ECR lacks it, and says where to follow it', async () => {
    await deployServing();
    const result = await yolops([]);
    expect(result.status, result.stderr).toBe(0);
    const image = `${MOTO_ACCOUNT}.dkr.ecr.${MOTO_REGION}.amazonaws.com/${names.inferenceImageRepository}:${version}`;
    const builds = (await codeBuild.send(new ListBuildsForProjectCommand({ projectName: names.inferenceImageProject }))).ids ?? [];
    expect(builds).toHaveLength(1);
    const buildId = builds[0] as string;
    expect(result.stdout).toContain(`CodeVersion: ${version}`);
    expect(result.stdout).toContain(`image:       ${image} building: CodeBuild build ${buildId}\n`);
    expect(result.stdout).toContain(`follow it: https://${MOTO_REGION}.console.aws.amazon.com/codesuite/codebuild/${MOTO_ACCOUNT}/projects/${names.inferenceImageProject}/build/${encodeURIComponent(buildId)}/?region=${MOTO_REGION}\n`);
    expect(result.stdout).toContain(`or its log: aws logs tail ${names.inferenceImageLogGroup} --follow`);
    // What StartBuild was sent (moto keeps none of the overrides: the proxy recorded them).
    expect(proxy.startBuilds).toEqual([
      {
        projectName: names.inferenceImageProject,
        sourceTypeOverride: 'S3',
        sourceLocationOverride: `${BUCKET}/code/${version}/`,
        environmentVariablesOverride: [{ name: 'IMAGE_TAG', value: version, type: 'PLAINTEXT' }],
      },
    ]);
    // The source it names is there: the bundle was pushed before the build started.
    const source = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `code/${version}/sourcedir.tar.gz` }));
    expect(source.ContentLength).toBeGreaterThan(0);
    expect(calls(ECR_TARGET)).toEqual(['DescribeImages']);
    expect(calls(CODEBUILD_TARGET)).toEqual(['BatchGetProjects', 'StartBuild']);
  });

  it('starts nothing when the image of this version is in ECR already', async () => {
    await deployServing();
    await ecr.send(new PutImageCommand({ repositoryName: names.inferenceImageRepository, imageTag: version, imageManifest: JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', layers: [] }) }));
    const result = await yolops(['--json']);
    expect(result.status, result.stderr).toBe(0);
    const printed = JSON.parse(result.stdout) as { codeVersion: string; image: { uri: string; state: string } };
    expect(printed).toMatchObject({ codeVersion: version, image: { uri: `${MOTO_ACCOUNT}.dkr.ecr.${MOTO_REGION}.amazonaws.com/${names.inferenceImageRepository}:${version}`, state: 'exists' } });
    expect(calls(CODEBUILD_TARGET)).toEqual([]);
    expect((await codeBuild.send(new ListBuildsForProjectCommand({ projectName: names.inferenceImageProject }))).ids ?? []).toEqual([]);
  });

  it('--no-image pushes the code and asks ECR and CodeBuild nothing', async () => {
    await deployServing();
    const result = await yolops(['--no-image', '--json']);
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ codeVersion: version, image: null });
    expect([...calls(ECR_TARGET), ...calls(CODEBUILD_TARGET)]).toEqual([]);
  });

  it('without the serving stack, the push succeeds and says what to deploy; --wait makes it an error', async () => {
    const noRepository = await yolops([]);
    expect(noRepository.status, noRepository.stderr).toBe(0);
    expect(noRepository.stdout).toMatch(new RegExp(`image: +\\S+:${version} not built: the ECR repository ${names.inferenceImageRepository} does not exist in account ${MOTO_ACCOUNT}, region ${MOTO_REGION}: deploy the serving stack \\(npx cdk deploy ${names.servingStack}\\), then run code push again\\n`));

    await deployServing({ project: false });
    const noProject = await yolops(['--json']);
    expect(noProject.status, noProject.stderr).toBe(0);
    expect(JSON.parse(noProject.stdout)).toMatchObject({ image: { state: 'not-deployed', reason: expect.stringMatching(new RegExp(`^the CodeBuild project ${names.inferenceImageProject} does not exist`)) } });

    const waited = await yolops(['--wait']);
    expect(waited.status).toBe(2);
    expect(waited.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^yolops: cannot build the inference image \\S+:${version}: the CodeBuild project ${names.inferenceImageProject} does not exist`))]);
    expect(proxy.startBuilds).toEqual([]);
  });

  it('--wait follows the build to its end: exit 0 when the image is built', async () => {
    await deployServing();
    proxy.scriptBuilds([
      { buildStatus: 'IN_PROGRESS', currentPhase: 'PROVISIONING', phases: [{ phaseType: 'SUBMITTED', phaseStatus: 'SUCCEEDED' }] },
      { buildStatus: 'IN_PROGRESS', currentPhase: 'BUILD', phases: [{ phaseType: 'SUBMITTED', phaseStatus: 'SUCCEEDED' }, { phaseType: 'BUILD' }] },
      { buildStatus: 'SUCCEEDED', currentPhase: 'COMPLETED', phases: [{ phaseType: 'SUBMITTED', phaseStatus: 'SUCCEEDED' }, { phaseType: 'BUILD', phaseStatus: 'SUCCEEDED' }] },
    ]);
    const result = await yolops(['--wait', '--interval', '0.1']);
    expect(result.status, result.stderr).toBe(0);
    const [buildId] = (await codeBuild.send(new ListBuildsForProjectCommand({ projectName: names.inferenceImageProject }))).ids ?? [];
    expect(result.stdout).toContain(`image build ${buildId} started; waiting for it`);
    expect(result.stdout).toMatch(/\n {2}PROVISIONING\n {2}BUILD\n {2}SUCCEEDED\n/);
    expect(result.stdout.endsWith(`:${version} (built by ${buildId})\n`)).toBe(true);
    expect(calls(CODEBUILD_TARGET).filter((c) => c === 'BatchGetBuilds')).toHaveLength(3);
  });

  it('--wait fails with the phase and the reason of a build that fails (exit 1, one line)', async () => {
    await deployServing();
    const failed: BuildFrame = {
      buildStatus: 'FAILED',
      currentPhase: 'COMPLETED',
      phases: [
        { phaseType: 'SUBMITTED', phaseStatus: 'SUCCEEDED' },
        { phaseType: 'PRE_BUILD', phaseStatus: 'SUCCEEDED' },
        { phaseType: 'BUILD', phaseStatus: 'FAILED', contexts: [{ statusCode: 'COMMAND_EXECUTION_ERROR', message: 'Error while executing command: docker build -t yolops-inference:abc . Reason: exit status 1' }] },
        { phaseType: 'POST_BUILD', phaseStatus: 'SUCCEEDED' },
      ],
    };
    proxy.scriptBuilds([{ buildStatus: 'IN_PROGRESS', currentPhase: 'BUILD', phases: [] }, failed]);
    const result = await yolops(['--wait', '--interval', '0.1']);
    expect(result.status).toBe(1);
    const buildId = ((await codeBuild.send(new ListBuildsForProjectCommand({ projectName: names.inferenceImageProject }))).ids ?? [])[0] as string;
    expect(result.stderr.trim().split('\n')).toEqual([
      `yolops: the inference image build ${buildId} ended FAILED in phase BUILD (FAILED): COMMAND_EXECUTION_ERROR: Error while executing command: docker build -t yolops-inference:abc . Reason: exit status 1; its log: aws logs tail ${names.inferenceImageLogGroup} --since 1h`,
    ]);
    // The push itself was done and said so before the build was looked at.
    expect(result.stdout).toContain(`CodeVersion: ${version}`);
  });

  it('--wait on the local target, or with --no-image, is refused before anything is pushed', async () => {
    const local = await yolops(['--wait'], 'local');
    expect(local.status).toBe(2);
    expect(local.stderr).toMatch(/^yolops: --wait waits for the inference image build, which runs in AWS: use it with --target aws\n$/);
    const both = await yolops(['--wait', '--no-image']);
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/^yolops: --wait waits for the inference image build, which --no-image skips/);
    expect(proxy.targets).toEqual([]);
  });
});
