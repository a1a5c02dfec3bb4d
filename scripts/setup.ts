// Installs what the project needs beyond npm: the Python virtual environment `.venv` with the training
// requirements (Ultralytics, MLflow) and the test tools (pytest, moto, cfn-lint). Idempotent: a stamp holding
// the requirements' hash skips the install when nothing changed, so a second `npm run demo` starts at once.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pythonEnvironment } from '../src/local/python-env.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const { venvDir, python: venvPython } = pythonEnvironment(join(root, '.venv'));
export { venvPython };
const requirements = [join(root, 'training', 'requirements.txt'), join(root, 'training', 'requirements-dev.txt')];
const stamp = join(venvDir, '.yolops-requirements.sha256');

function run(cmd: string, args: string[]): void {
  const result = spawnSync(cmd, args, { stdio: 'inherit', cwd: root });
  if (result.error) throw new Error(`could not start ${cmd}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`\`${cmd} ${args.join(' ')}\` exited with ${result.status}; see the output above`);
}

function findPython(): string {
  for (const candidate of ['python3.12', 'python3.11', 'python3.10', 'python3']) {
    const probe = spawnSync(candidate, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' });
    if (probe.status !== 0) continue;
    const [major, minor] = probe.stdout.trim().split('.').map(Number);
    if (major === 3 && (minor ?? 0) >= 10) return candidate;
  }
  throw new Error('Python 3.10 or newer is needed for the training code (Ultralytics); install it (e.g. apt-get install python3 python3-venv) and run again.');
}

export function ensurePythonEnv(): void {
  const hash = createHash('sha256');
  for (const file of requirements) hash.update(readFileSync(file));
  const wanted = hash.digest('hex');
  if (existsSync(venvPython) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === wanted) return;

  const started = Date.now();
  console.log('yolops: installing the Python environment .venv (Ultralytics, MLflow; about 2-3 minutes the first time)...');
  if (!existsSync(venvPython)) {
    rmSync(venvDir, { recursive: true, force: true }); // a half-created venv from an interrupted run
    run(findPython(), ['-m', 'venv', venvDir]);
  }
  run(venvPython, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirements[1] as string]);
  writeFileSync(stamp, `${wanted}\n`);
  console.log(`yolops: Python environment ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

if (import.meta.main) {
  try {
    ensurePythonEnv();
  } catch (error) {
    console.error(`yolops: ${(error as Error).message}`);
    process.exit(1);
  }
}
