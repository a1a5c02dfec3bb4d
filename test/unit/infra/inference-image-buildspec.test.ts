import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { inferenceImageBuildSpec } from '../../../src/infra/constructs/inference-image-build.ts';
import { writeTarGz } from '../../../src/local/fs/tar-archive.ts';
import { CODE_BUNDLE, tempDir } from './helpers.ts';

const REPOSITORY_NAME = 'yolops-inference';
const REPOSITORY_URI = `123456789012.dkr.ecr.us-east-1.amazonaws.com/${REPOSITORY_NAME}`;

/** The one script of the build phase, as CodeBuild gets it from the synthesized project. */
function buildScript(): string {
  const spec = parse(new Stack().resolve(inferenceImageBuildSpec().toBuildSpec()) as string) as { version: string; env: { shell: string }; phases: Record<string, { commands: string[] }> };
  expect(spec.version).toBe('0.2');
  expect(spec.env.shell).toBe('bash');
  expect(Object.keys(spec.phases)).toEqual(['build']);
  expect(spec.phases.build?.commands).toHaveLength(1);
  return spec.phases.build?.commands[0] as string;
}

interface BuildRun {
  status: number | null;
  stderr: string;
  stdout: string;
  /** Every `aws` and `docker` call, one line each. */
  calls: string[];
  dir: string;
}

/**
 * Runs the build phase with bash in a folder laid out as CodeBuild lays out an S3 source (the files of
 * `code/{version}/` at its root). The AWS CLI and Docker stand in as scripts that record their arguments: there
 * is no ECR, Docker daemon or CodeBuild here. `imageExists` says what `aws ecr describe-images` answers.
 */
function runBuild(options: { imageTag?: string; archive?: string; imageExists?: boolean }): BuildRun {
  const dir = tempDir('codebuild-');
  const bin = join(dir, '.bin');
  mkdirSync(bin);
  const log = join(dir, '.calls');
  writeFileSync(log, '');
  const stub = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/bash\necho "${name} $*" >> ${log}\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  stub('aws', `if [ "$1 $2" = "ecr describe-images" ]; then exit ${options.imageExists === true ? 0 : 254}; fi\nif [ "$1 $2" = "ecr get-login-password" ]; then echo token; fi`);
  stub('docker', 'cat > /dev/null');
  if (options.archive !== undefined) copyFileSync(options.archive, join(dir, 'sourcedir.tar.gz'));
  const env: NodeJS.ProcessEnv = { PATH: `${bin}:/usr/bin:/bin`, AWS_REGION: 'us-east-1', REPOSITORY_URI, REPOSITORY_NAME, CODEBUILD_SOURCE_REPO_URL: 's3://bucket/code/v1/' };
  if (options.imageTag !== undefined) env.IMAGE_TAG = options.imageTag;
  const result = spawnSync('bash', ['--norc', '--noprofile', '-c', buildScript()], { cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { status: result.status, stderr: result.stderr, stdout: result.stdout, calls: readFileSync(log, 'utf8').split('\n').filter(Boolean), dir };
}

const BUNDLE = join(CODE_BUNDLE.directory, 'sourcedir.tar.gz');

describe('the inference image buildspec', () => {
  it('builds the bundle of training/ for linux/amd64 and pushes {repository}:{IMAGE_TAG}', () => {
    const run = runBuild({ imageTag: CODE_BUNDLE.version, archive: BUNDLE });
    expect(run.status, run.stderr).toBe(0);
    const tag = `${REPOSITORY_URI}:${CODE_BUNDLE.version}`;
    // The login is a pipe (aws ecr get-login-password | docker login): its two ends run at the same time.
    const [check, ...rest] = run.calls;
    expect(check).toBe(`aws ecr describe-images --repository-name ${REPOSITORY_NAME} --image-ids imageTag=${CODE_BUNDLE.version}`);
    expect(rest.slice(0, 2).sort()).toEqual(['aws ecr get-login-password --region us-east-1', 'docker login --username AWS --password-stdin 123456789012.dkr.ecr.us-east-1.amazonaws.com']);
    expect(rest.slice(2)).toEqual([`docker build --platform linux/amd64 --label org.opencontainers.image.version=${CODE_BUNDLE.version} -t ${tag} context`, `docker push ${tag}`]);
    // The build context is training/ as packed: its Dockerfile at the root, as `docker build training/` sees it.
    expect(readFileSync(join(run.dir, 'context/Dockerfile'), 'utf8')).toContain('FROM ');
  });

  it('does not build a version whose image exists (tags are immutable, a rebuild could not be pushed)', () => {
    const run = runBuild({ imageTag: 'v1', archive: BUNDLE, imageExists: true });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`${REPOSITORY_URI}:v1 exists already`);
    expect(run.calls.filter((c) => c.startsWith('docker'))).toEqual([]);
  });

  it('fails with what to do when IMAGE_TAG is missing (the project\'s default source is every version at once)', () => {
    const run = runBuild({ archive: BUNDLE });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^IMAGE_TAG is not set: start a build per code version with sourceLocationOverride <bucket>\/code\/<version>\/ and IMAGE_TAG=<version>/);
    expect(run.calls).toEqual([]);
  });

  it('refuses a tag Docker would not accept', () => {
    const run = runBuild({ imageTag: 'bad/tag', archive: BUNDLE });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('IMAGE_TAG=bad/tag is not a valid image tag');
    expect(run.calls).toEqual([]);
  });

  it('says which bundle is missing when the source has no sourcedir.tar.gz', () => {
    const run = runBuild({ imageTag: 'v2' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("no sourcedir.tar.gz in the build's source (s3://bucket/code/v1/): is the code bundle v2 uploaded");
    expect(run.calls).toEqual([]);
  });

  it('refuses an archive without a Dockerfile at its root', async () => {
    const folder = tempDir('not-training-');
    writeFileSync(join(folder, 'train.py'), 'print(1)\n');
    const archive = join(tempDir('archive-'), 'sourcedir.tar.gz');
    await writeTarGz(folder, ['train.py'], archive);
    const run = runBuild({ imageTag: 'v3', archive });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('sourcedir.tar.gz of v3 holds no Dockerfile at its root');
    expect(run.calls.filter((c) => c.startsWith('docker'))).toEqual([]);
    expect(existsSync(join(run.dir, 'context/train.py'))).toBe(true);
  });
});
