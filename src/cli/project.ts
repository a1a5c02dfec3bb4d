import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCdkContext, type CdkContext } from '../core/config/cdk-context.ts';
import { loadTrainingConfig, type TrainingConfig } from '../core/config/training-config.ts';

/** The yolops checkout the CLI belongs to (where cdk.json, training-config.json and training/ live). */
export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Project {
  /** Folder holding cdk.json and training-config.json. */
  dir: string;
  cdkJson: string;
  trainingConfigJson: string;
  /** The `training/` folder whose code the pipeline runs. */
  trainingCodeDir: string;
  /** Root of the local backend's state: buckets, executions, registry, MLflow store. */
  localRoot: string;
}

/** Finds the project from the working directory upwards (the folder with cdk.json), else the package's own. */
export function findProject(cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): Project {
  let dir = resolve(cwd);
  while (!existsSync(join(dir, 'cdk.json')) && dirname(dir) !== dir) dir = dirname(dir);
  if (!existsSync(join(dir, 'cdk.json'))) dir = packageRoot;
  const home = env['YOLOPS_HOME'];
  return {
    dir,
    cdkJson: join(dir, 'cdk.json'),
    trainingConfigJson: join(dir, 'training-config.json'),
    trainingCodeDir: join(dir, 'training'),
    localRoot: home ? resolve(home) : join(dir, '.yolops'),
  };
}

export interface LoadedConfig {
  context: CdkContext;
  training: TrainingConfig;
}

/** Both config files, validated (ConfigError names file and key otherwise). */
export function loadProjectConfig(project: Project): LoadedConfig {
  return { context: loadCdkContext(project.cdkJson), training: loadTrainingConfig(project.trainingConfigJson) };
}
