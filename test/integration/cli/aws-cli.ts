// A project folder and a `yolops` process pointed at moto, as a person with an AWS profile would run it.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CdkContext } from '../../../src/core/config/cdk-context.ts';
import { MOTO_REGION, type MotoServer } from '../aws/moto.ts';

export const REPO = new URL('../../..', import.meta.url).pathname;

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * A new project folder: the repository's cdk.json with `context` changed (us-east-1, moto's region, unless
 * overridden), training-config.json and the training/ files the compiler reads.
 */
export function makeProject(context: Partial<CdkContext> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'yolops-project-'));
  writeProjectConfig(dir, context);
  mkdirSync(join(dir, 'training'));
  for (const file of ['train.py', 'evaluate.py', 'metric_definitions.json']) copyFileSync(join(REPO, 'training', file), join(dir, 'training', file));
  return dir;
}

/**
 * A project folder at `dir` whose training/ is the repository's own (a link: the Python tools, the code bundle,
 * the image build read all of it), with the repository's cdk.json changed as makeProject changes it.
 */
export function makeLinkedProject(dir: string, context: Partial<CdkContext> = {}): string {
  mkdirSync(dir, { recursive: true });
  writeProjectConfig(dir, context);
  symlinkSync(join(REPO, 'training'), join(dir, 'training'), 'dir');
  return dir;
}

function writeProjectConfig(dir: string, context: Partial<CdkContext>): void {
  const cdkJson = JSON.parse(readFileSync(join(REPO, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  cdkJson.context = { ...cdkJson.context, aws_region: MOTO_REGION, ...context };
  writeFileSync(join(dir, 'cdk.json'), JSON.stringify(cdkJson, null, 2));
  copyFileSync(join(REPO, 'training-config.json'), join(dir, 'training-config.json'));
}

/**
 * The environment of a person whose credentials reach moto: none of this machine's AWS settings or profiles
 * (no ~/.aws), no instance metadata lookups.
 */
export function motoEnv(moto: MotoServer | undefined, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_') && !key.startsWith('YOLOPS_')));
  return {
    ...base,
    // A home that does not exist: no ~/.aws files, nothing left behind.
    HOME: join(tmpdir(), 'yolops-test-home-that-does-not-exist'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...(moto ? { AWS_ENDPOINT_URL: moto.endpoint, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: MOTO_REGION } : {}),
    ...extra,
  };
}

export function yolopsIn(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]): CliResult {
  const result = spawnSync(process.execPath, [join(REPO, 'bin', 'yolops.js'), ...args], { cwd, env, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
