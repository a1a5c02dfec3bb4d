// The Python virtual environment `.venv` the local jobs run in (the local stand-in for the job's container image),
// installed with uv from lock files committed beside training/requirements*.txt: every install gets the same
// versions, with their hashes checked. Two sets:
//   runtime  training/requirements.lock.txt      what the jobs import (Ultralytics, MLflow): enough for the demo
//   dev      training/requirements-dev.lock.txt  runtime + the test tools (pytest, moto, cfn-lint, hadolint)
// Plain JavaScript, like bootstrap.js: it runs on whatever Node.js >= 18 the newcomer has, while npm ci runs.
// `node scripts/python-env.js lock` re-resolves both lock files after a change to training/requirements*.txt.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

/** Each set: the requirements a person edits and the lock resolved from them, relative to the repository root. */
export const PYTHON_SETS = {
  runtime: { requirements: 'training/requirements.txt', lock: 'training/requirements.lock.txt' },
  dev: { requirements: 'training/requirements-dev.txt', lock: 'training/requirements-dev.lock.txt' },
};

/** The uv that installs when the machine has none (pip installs it into the venv); pinned like everything else. */
const UV_VERSION = '0.13.9';
/** The oldest uv on PATH that is used as it is; an older one is passed over for the pinned one. */
const UV_MINIMUM = [0, 5];
/** The oldest Python the locks are resolved for (torch and Ultralytics need 3.10). */
const PYTHON_MINIMUM = '3.10';

export class PythonEnvError extends Error {
  constructor(message) {
    super(message);
    this.name = 'PythonEnvError';
  }
}

const venvPaths = (venvDir) => {
  const binDir = join(venvDir, process.platform === 'win32' ? 'Scripts' : 'bin');
  const exe = process.platform === 'win32' ? '.exe' : '';
  return { python: join(binDir, `python${exe}`), uv: join(binDir, `uv${exe}`), stamp: (set) => join(venvDir, `.yolops-${set}.sha256`) };
};

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');
const readStamp = (file) => (existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined);

function run(cmd, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: 'inherit', ...options });
    child.on('error', (error) => reject(new PythonEnvError(`could not start ${cmd}: ${error.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new PythonEnvError(`\`${cmd} ${args.join(' ')}\` ${signal ? `was stopped by ${signal}` : `exited with ${code}`}; see the output above`));
    });
  });
}

function findPython() {
  for (const candidate of ['python3.12', 'python3.11', 'python3.10', 'python3.13', 'python3']) {
    const probe = spawnSync(candidate, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' });
    if (probe.status !== 0) continue;
    const [major, minor] = probe.stdout.trim().split('.').map(Number);
    if (major === 3 && minor >= 10) return candidate;
  }
  throw new PythonEnvError(`Python ${PYTHON_MINIMUM} or newer is needed for the training code (Ultralytics); install it (e.g. apt-get install python3 python3-venv) and run again.`);
}

/** A uv on PATH that is new enough, or undefined. */
function uvOnPath() {
  const probe = spawnSync('uv', ['--version'], { encoding: 'utf8' });
  const version = probe.status === 0 ? /^uv (\d+)\.(\d+)/.exec(probe.stdout) : null;
  if (!version) return undefined;
  const [major, minor] = [Number(version[1]), Number(version[2])];
  return major > UV_MINIMUM[0] || (major === UV_MINIMUM[0] && minor >= UV_MINIMUM[1]) ? 'uv' : undefined;
}

/** PEP 503 names: `Moto[server]` and `moto` are one package. */
const normalize = (name) => name.replace(/\[.*\]$/, '').replace(/[-_.]+/g, '-').toLowerCase();

/** `name==version` pins of a requirements file (comments, options and `-r` lines skipped). */
export function readPins(text) {
  const pins = new Map();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').replace(/\\$/, '').trim();
    const pin = /^([A-Za-z0-9][A-Za-z0-9._-]*(?:\[[^\]]*\])?)\s*==\s*([^\s;]+)/.exec(line);
    if (pin) pins.set(normalize(pin[1]), [...(pins.get(normalize(pin[1])) ?? []), pin[2]]);
  }
  return pins;
}

/**
 * What makes a lock stale: a pin of its requirements file the lock does not hold. Returns one line per pin, naming
 * the file and both versions; empty when the lock agrees.
 */
export function staleLockProblems(root, set) {
  const { requirements, lock } = PYTHON_SETS[set];
  if (!existsSync(join(root, lock))) return [`${lock} is missing`];
  const locked = readPins(readFileSync(join(root, lock), 'utf8'));
  const wanted = [requirements, ...(set === 'dev' ? [PYTHON_SETS.runtime.requirements] : [])];
  const problems = [];
  for (const file of wanted) {
    for (const [name, [version]] of readPins(readFileSync(join(root, file), 'utf8'))) {
      const have = locked.get(name) ?? [];
      if (!have.includes(version)) problems.push(`${file} pins ${name}==${version}, ${lock} has ${have.length ? have.map((v) => `${name}==${v}`).join(', ') : `no ${name}`}`);
    }
  }
  return problems;
}

/**
 * Makes `<root>/.venv` hold the given set, exactly as its lock says. Idempotent and quick when nothing changed: a
 * stamp in the venv holds the hash of the lock it was installed from. A venv installed from an older lock is
 * rebuilt, since installing over it would keep the packages the new lock dropped. Returns whether it installed.
 */
export async function ensurePythonEnv(set, { root = ROOT, log = (line) => console.log(`yolops: ${line}`) } = {}) {
  const venvDir = join(root, '.venv');
  const paths = venvPaths(venvDir);
  const lock = join(root, PYTHON_SETS[set].lock);
  const stale = staleLockProblems(root, set);
  if (stale.length > 0) throw new PythonEnvError(`the Python lock is out of date: ${stale.join('; ')}. Run \`npm run lock:python\` and commit the lock files.`);
  const wanted = sha256(lock);
  if (existsSync(paths.python) && readStamp(paths.stamp(set)) === wanted) return false;

  const started = Date.now();
  const outdated = Object.keys(PYTHON_SETS).some((s) => {
    const stamp = readStamp(paths.stamp(s));
    return stamp !== undefined && stamp !== sha256(join(root, PYTHON_SETS[s].lock));
  });
  if (!existsSync(paths.python) || outdated) {
    // Also what a venv left half-created by an interrupted run gets.
    rmSync(venvDir, { recursive: true, force: true });
    log(`creating the Python environment .venv${outdated ? ' again (the lock changed)' : ''}`);
    await run(findPython(), ['-m', 'venv', '--without-pip', venvDir]);
  }
  let uv = uvOnPath() ?? (existsSync(paths.uv) ? paths.uv : undefined);
  if (!uv) {
    log(`no uv ${UV_MINIMUM.join('.')}+ on PATH: installing uv ${UV_VERSION} into .venv with pip`);
    const hasPip = spawnSync(paths.python, ['-m', 'pip', '--version'], { stdio: 'ignore' }).status === 0;
    if (!hasPip) await run(paths.python, ['-m', 'ensurepip', '--default-pip']);
    await run(paths.python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', `uv==${UV_VERSION}`]);
    uv = paths.uv;
  }
  log(`installing ${relative(root, lock)} into .venv with uv (${set === 'runtime' ? 'Ultralytics, MLflow' : 'Ultralytics, MLflow and the test tools'}; about 30 s the first time)...`);
  await run(uv, ['pip', 'install', '--python', paths.python, '--require-hashes', '-r', lock], { cwd: root, env: { ...process.env, UV_PYTHON_DOWNLOADS: 'never' } });
  await warmBytecode(paths.python, root, log);
  writeFileSync(paths.stamp(set), `${wanted}\n`);
  // The dev lock is resolved with the runtime lock as constraints: installing it installs the runtime set too.
  if (set === 'dev') writeFileSync(paths.stamp('runtime'), `${sha256(join(root, PYTHON_SETS.runtime.lock))}\n`);
  log(`Python environment ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return true;
}

/**
 * What the jobs and the MLflow server import, compiled to bytecode once. uv installs without compiling, and where
 * PYTHONDONTWRITEBYTECODE is set (as on some CI images) Python never caches what it compiles, so every job would
 * compile torch, Ultralytics and MLflow from source again: about 7 s of CPU per process on 2 cores. Importing
 * just those modules (rather than compileall on 6 GB of packages) takes about as long as one such start.
 */
const WARM_IMPORTS = [
  // The training and evaluation jobs (training/).
  'import sys; sys.path.insert(0, "training"); import torch, torchvision, ultralytics, mlflow, yolops_training.train_job, yolops_training.evaluation; from ultralytics.models.yolo.detect import DetectionTrainer, DetectionValidator; import ultralytics.utils.plotting',
  // `mlflow server` (src/local/mlflow/mlflow-server.ts).
  'import mlflow.server.handlers, mlflow.server.fastapi_app, uvicorn',
];

async function warmBytecode(python, root, log) {
  const started = Date.now();
  const configDir = mkdtempSync(join(tmpdir(), 'yolops-warm-'));
  const env = { ...process.env, YOLO_OFFLINE: 'true', YOLO_CONFIG_DIR: configDir };
  delete env.PYTHONDONTWRITEBYTECODE;
  try {
    await Promise.all(WARM_IMPORTS.map((code) => run(python, ['-c', code], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] })));
    log(`compiled what the jobs import in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } catch (error) {
    // The environment is installed; only the first job starts will be slower. Say so, and go on.
    log(`warning: could not precompile the jobs' imports (${error.message}); jobs compile them as they start`);
  } finally {
    rmSync(configDir, { recursive: true, force: true });
  }
}

/** Re-resolves both locks for every platform and Python >= 3.10; unchanged pins stay as they are. */
async function lockPython() {
  const uv = uvOnPath();
  if (!uv) throw new PythonEnvError(`uv ${UV_MINIMUM.join('.')}+ is needed on PATH to resolve the locks: pip install uv==${UV_VERSION}`);
  const common = ['--universal', '--python-version', PYTHON_MINIMUM, '--generate-hashes', '--quiet', '--custom-compile-command', 'npm run lock:python'];
  const { runtime, dev } = PYTHON_SETS;
  await run(uv, ['pip', 'compile', runtime.requirements, ...common, '-o', runtime.lock]);
  await run(uv, ['pip', 'compile', dev.requirements, '-c', runtime.lock, ...common, '-o', dev.lock]);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [command, set] = process.argv.slice(2);
  try {
    if (command === 'lock') await lockPython();
    else if (command === 'install' && set in PYTHON_SETS) await ensurePythonEnv(set);
    else throw new PythonEnvError(`usage: node scripts/python-env.js lock | install ${Object.keys(PYTHON_SETS).join('|')}`);
  } catch (error) {
    console.error(`yolops: ${error.message}`);
    process.exit(1);
  }
}
