import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { assertPythonEnvironment, jobEnvironment, pythonEnvironment, REPO_ROOT } from '../local/index.ts';
import { CliError, EXIT } from './errors.ts';

/** What a project Python tool left behind: its stderr lines (warnings and progress) once it exited 0. */
export interface PythonModuleResult {
  stderrLines: string[];
}

export interface PythonModuleOptions {
  /** The project's `training/` folder: the modules live there, as they do in the code bundle. */
  trainingDir: string;
  /** @default the checkout's `.venv` (`npm run setup` installs it) */
  venvDir?: string;
  /** Called with each stderr line as it comes (progress, warnings), so a long conversion is not silent. */
  onStderrLine?: (line: string) => void;
}

/**
 * Runs `python -m <module> <args>` with the project's Python, in training/, for the tools that exist once, in
 * Python, because the SageMaker jobs run them too (the converter, the dataset statistics). Their contract: exit 0
 * on success, 2 for a mistake in the input with one readable line last on stderr (file, record, fix), anything
 * else for a failure. Exit 2 becomes a CliError with that line and exit 2; other failures exit 1 with it.
 */
export async function runPythonModule(module: string, args: readonly string[], options: PythonModuleOptions): Promise<PythonModuleResult> {
  const python = pythonEnvironment(options.venvDir ?? join(REPO_ROOT, '.venv'));
  assertPythonEnvironment(python);
  const child = spawn(python.python, ['-m', module, ...args], {
    cwd: options.trainingDir,
    env: jobEnvironment(python, { YOLO_OFFLINE: 'true' }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const lines: string[] = [];
  let pending = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      options.onStderrLine?.(line);
    }
  });
  let code: number | null;
  try {
    code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
  } catch (error) {
    throw new CliError(`cannot run ${python.python} -m ${module}: ${(error as Error).message}`, { cause: error, exitCode: EXIT.failed, audience: 'internal' });
  }
  if (pending !== '') {
    lines.push(pending);
    options.onStderrLine?.(pending);
  }
  if (code === 0) return { stderrLines: lines };
  const last = lines.filter((line) => line.trim() !== '').at(-1)?.trim() ?? `it exited with ${code} and printed nothing`;
  if (code === EXIT.usage) throw new CliError(last.replace(/^yolops: /, ''), { exitCode: EXIT.usage });
  throw new CliError(`${module} failed (exit ${code}): ${last.replace(/^yolops: /, '')}`, { exitCode: EXIT.failed, audience: 'internal' });
}
