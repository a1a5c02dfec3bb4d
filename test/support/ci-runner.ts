// Runs the commands ci-commands.ts lists, the way GitHub Actions and CodeBuild run them, on this machine: a
// GitHub job step by step (`bash --noprofile --norc -eo pipefail`, its env, $GITHUB_OUTPUT, $GITHUB_STEP_SUMMARY,
// step outputs and job outputs), a buildspec as one bash script. `npx yolops` runs the repository's bin/yolops.js
// with this Node.js, so the commands under test are the working tree's, not an installed package's.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BuildspecCommands, type CommandStep, evaluateCondition, type ExpressionContexts, interpolate, type JobCommands, parseGithubOutput } from './ci-commands.ts';

export interface CiRunOptions {
  /** The folder the commands run in (the checkout). */
  readonly cwd: string;
  /** Path of the bin/yolops.js that `npx yolops` stands for. */
  readonly yolopsBin: string;
  /** The environment the runner gives every step (AWS endpoint and credentials, PATH, ...). */
  readonly env: NodeJS.ProcessEnv;
  /** Steps a test leaves out (`npm ci`: the packages are there already). */
  readonly skip?: (command: string) => boolean;
  /** @default 600_000 per step */
  readonly timeoutMs?: number;
}

export interface StepResult {
  readonly name: string;
  readonly ran: boolean;
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Readonly<Record<string, string>>;
}

export interface JobResult {
  readonly ok: boolean;
  readonly steps: readonly StepResult[];
  /** The job's `outputs:`, evaluated after its steps. */
  readonly outputs: Readonly<Record<string, string>>;
  /** What the steps wrote to $GITHUB_STEP_SUMMARY. */
  readonly summary: string;
}

/** `npx yolops ...` runs the working tree's CLI; any other npx call goes to the real npx. */
const PRELUDE = [
  'npx() {',
  '  if [ "$1" = yolops ]; then shift; "$YOLOPS_CI_NODE" "$YOLOPS_CI_BIN" "$@"; else command npx "$@"; fi',
  '}',
  '',
].join('\n');

function runBash(script: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, options: CiRunOptions) {
  const dir = mkdtempSync(join(tmpdir(), 'yolops-ci-step-'));
  try {
    const file = join(dir, 'step.sh');
    writeFileSync(file, `${PRELUDE}${script}\n`);
    return spawnSync('bash', [...args, file], {
      cwd,
      env: { ...env, YOLOPS_CI_NODE: process.execPath, YOLOPS_CI_BIN: resolve(options.yolopsBin) },
      encoding: 'utf8',
      timeout: options.timeoutMs ?? 600_000,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const skipped = (options: CiRunOptions, command: string) => options.skip?.(command.trim()) ?? false;

/**
 * Runs the `run:` steps of one job in order, stopping at the first that fails. `contexts` holds what the
 * expressions of the job read (`inputs`, `vars`, `needs`, `github`); `steps` is filled in as the steps run.
 */
export function runWorkflowJob(job: JobCommands, contexts: ExpressionContexts, options: CiRunOptions): JobResult {
  const scratch = mkdtempSync(join(tmpdir(), 'yolops-ci-job-'));
  try {
    const summaryFile = join(scratch, 'step-summary.md');
    writeFileSync(summaryFile, '');
    const steps: Record<string, { outputs: Record<string, string>; outcome: string; conclusion: string }> = {};
    const results: StepResult[] = [];
    const context = (): ExpressionContexts => ({ ...contexts, steps });
    const jobEnv = Object.fromEntries(Object.entries(job.env).map(([k, v]) => [k, interpolate(v, context())]));
    let ok = true;
    for (const step of job.commands) {
      if (skipped(options, step.run) || !evaluateCondition(step.if, { ...context(), env: jobEnv })) {
        results.push({ name: step.name, ran: false, status: null, stdout: '', stderr: '', outputs: {} });
        continue;
      }
      const outputFile = join(scratch, `output-${step.index}`);
      writeFileSync(outputFile, '');
      const stepEnv = Object.fromEntries(Object.entries(step.env).map(([k, v]) => [k, interpolate(v, { ...context(), env: jobEnv })]));
      const env = { ...options.env, ...jobEnv, ...stepEnv, CI: 'true', GITHUB_ACTIONS: 'true', GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile };
      const result = runBash(step.run, shellArgs(step), join(options.cwd, step.workingDirectory ?? '.'), env, options);
      const outputs = parseGithubOutput(readFileSync(outputFile, 'utf8'));
      results.push({ name: step.name, ran: true, status: result.status, stdout: result.stdout, stderr: result.stderr, outputs });
      const outcome = result.status === 0 ? 'success' : 'failure';
      if (step.id !== undefined) steps[step.id] = { outputs, outcome, conclusion: outcome };
      if (result.status !== 0) {
        ok = false;
        break;
      }
    }
    const outputs = ok ? Object.fromEntries(Object.entries(job.outputs).map(([k, v]) => [k, interpolate(v, context())])) : {};
    return { ok, steps: results, outputs, summary: readFileSync(summaryFile, 'utf8') };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** GitHub's default shell on Linux is `bash --noprofile --norc -eo pipefail {0}`; `shell: sh` is `sh -e {0}`. */
function shellArgs(step: CommandStep): string[] {
  if (step.shell === undefined || step.shell === 'bash') return ['--noprofile', '--norc', '-eo', 'pipefail'];
  throw new Error(`step ${JSON.stringify(step.name)} asks for shell ${step.shell}, which this runner does not emulate`);
}

export interface BuildspecResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a buildspec's commands, phase by phase, as CodeBuild 0.2 does: one shell instance for the whole build (a
 * variable one command sets is seen by the next), the first failing command ending it.
 */
export function runBuildspec(spec: BuildspecCommands, options: CiRunOptions): BuildspecResult {
  if (spec.shell !== undefined && spec.shell !== 'bash') throw new Error(`the buildspec asks for shell ${spec.shell}, which this runner does not emulate`);
  const lines = spec.phases.flatMap(({ phase, commands }) => [`echo "[phase ${phase}]"`, ...commands.filter((c) => !skipped(options, c))]);
  const env = { ...options.env, ...spec.env, CODEBUILD_BUILD_ID: 'local:0' };
  const result = runBash(['set -e', ...lines].join('\n'), ['--noprofile', '--norc'], options.cwd, env, options);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
