import { existsSync, readdirSync, statSync } from 'node:fs';
import { access, constants } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pythonEnvironment } from '../../local/index.ts';
import type { Project } from '../project.ts';
import { fail, ok, type Finding } from './finding.ts';

const SETUP = 'install it: npm run setup';
/** What the local jobs import; checked as installed files, since importing them takes seconds. */
const PYTHON_PACKAGES = ['ultralytics', 'torch', 'mlflow'] as const;
const TRAINING_FILES = ['train.py', 'evaluate.py', 'metric_definitions.json'] as const;

export interface LocalDoctorInputs {
  project: Project;
  /** The jobs' virtual environment (`.venv` of the checkout). */
  venvDir: string;
}

/** The local backend's checks: quick file checks only, nothing is started. */
export async function localDoctor(inputs: LocalDoctorInputs): Promise<Finding[]> {
  return [checkPython(inputs.venvDir), checkPythonPackages(inputs.venvDir), await checkLocalRoot(inputs.project.localRoot), checkTrainingCode(inputs.project.trainingCodeDir)];
}

export function checkPython(venvDir: string): Finding {
  const { python } = pythonEnvironment(venvDir);
  return existsSync(python) ? ok('python environment', python) : fail('python environment', `no Python at ${python}`, SETUP);
}

/** The site-packages folders of a venv (`lib/python3.X/site-packages`, `Lib/site-packages` on Windows). */
function sitePackages(venvDir: string): string[] {
  const windows = join(venvDir, 'Lib', 'site-packages');
  if (existsSync(windows)) return [windows];
  const lib = join(venvDir, 'lib');
  if (!existsSync(lib)) return [];
  return readdirSync(lib)
    .filter((name) => name.startsWith('python'))
    .map((name) => join(lib, name, 'site-packages'))
    .filter((dir) => existsSync(dir));
}

export function checkPythonPackages(venvDir: string): Finding {
  const dirs = sitePackages(venvDir);
  const missing = PYTHON_PACKAGES.filter((pkg) => !dirs.some((dir) => existsSync(join(dir, pkg, '__init__.py'))));
  if (missing.length === 0) return ok('python packages', `${PYTHON_PACKAGES.join(', ')} installed in ${venvDir}`);
  return fail('python packages', `${missing.join(', ')} not installed in ${venvDir}`, SETUP);
}

/** The state root need not exist yet (the first run creates it), but the nearest folder that does must be writable. */
export async function checkLocalRoot(localRoot: string): Promise<Finding> {
  let dir = localRoot;
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  if (!statSync(dir).isDirectory()) return fail('local state', `${dir} is a file, so ${localRoot} cannot be created`, 'set YOLOPS_HOME to a folder you can write to');
  try {
    await access(dir, constants.W_OK);
  } catch {
    return fail('local state', `cannot write to ${dir}${dir === localRoot ? '' : ` (where ${localRoot} would be created)`}`, 'set YOLOPS_HOME to a folder you can write to');
  }
  return ok('local state', dir === localRoot ? `${localRoot} (writable)` : `${localRoot} (not created yet; ${dir} is writable)`);
}

export function checkTrainingCode(trainingDir: string): Finding {
  const missing = TRAINING_FILES.filter((file) => !existsSync(join(trainingDir, file)));
  if (missing.length === 0) return ok('training code', trainingDir);
  return fail('training code', `${trainingDir} lacks ${missing.join(', ')}`, 'restore training/ from the repository (git checkout -- training)');
}
