import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { LocalError } from './errors.ts';

/** The virtual environment whose `python` runs the jobs (the local stand-in for the job's container image). */
export interface PythonEnvironment {
  venvDir: string;
  binDir: string;
  python: string;
}

export function pythonEnvironment(venvDir: string): PythonEnvironment {
  const binDir = join(venvDir, process.platform === 'win32' ? 'Scripts' : 'bin');
  const python = join(binDir, process.platform === 'win32' ? 'python.exe' : 'python');
  return { venvDir, binDir, python };
}

/** The jobs' Python environment is missing: the person has not installed it yet (or pointed at another folder). */
export class PythonEnvironmentMissingError extends LocalError {}

/** Throws with the fix when the environment is missing, before an execution starts. */
export function assertPythonEnvironment(env: PythonEnvironment): void {
  if (!existsSync(env.python)) {
    throw new PythonEnvironmentMissingError(`no Python at ${env.python}: install the jobs' virtual environment first with \`npm run setup\` (scripts/python-env.js installs it from the committed lock files)`, { audience: 'user' });
  }
}

/**
 * A job's environment: this process's (so settings such as YOLO_OFFLINE or OMP_NUM_THREADS reach the job), the
 * venv first on PATH (so a container's `python3` is the venv's), unbuffered output (so progress streams), then
 * the job's own variables, which win.
 */
export function jobEnvironment(env: PythonEnvironment, jobVariables: Readonly<Record<string, string>>, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const path = [env.binDir, base['PATH'] ?? ''].filter(Boolean).join(delimiter);
  return { ...base, VIRTUAL_ENV: env.venvDir, PATH: path, PYTHONUNBUFFERED: '1', ...jobVariables };
}
