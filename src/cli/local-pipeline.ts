import { join } from 'node:path';
import { localTrainingConfig } from '../core/config/training-config.ts';
import { loadMetricDefinitions, synthesizeTrainingPipeline } from '../core/pipeline/index.ts';
import { loadProjectConfig, type LoadedConfig, type Project } from './project.ts';

/**
 * The pipeline the local backend runs: the very definition deployed to AWS, compiled with training-config.json's
 * `local_overrides` as parameter defaults (a CPU run: fewer epochs, smaller images).
 */
export function compileLocalPipeline(project: Project): LoadedConfig & { json: string } {
  const config = loadProjectConfig(project);
  const { json } = synthesizeTrainingPipeline({
    context: config.context,
    training: localTrainingConfig(config.training),
    metricDefinitions: loadMetricDefinitions(join(project.trainingCodeDir, 'metric_definitions.json')),
  });
  return { ...config, json };
}
