import { synthesizeTrainingPipeline } from '../core/pipeline/index.ts';
import type { InfraConfig } from './config.ts';
import type { PipelineDefinitionSource } from './compiled-pipeline-facts.ts';

/**
 * The compiled pipeline definition for this config, from the compiler of the local backend: the CLI and the
 * local runner get the same bytes from the same inputs. No code version is baked in, so every execution passes
 * CodeUri and CodeVersion (the trigger and the Deploy-and-Train workflow know which bundle they mean).
 */
export function compilePipelineDefinition(config: InfraConfig): PipelineDefinitionSource {
  const { json } = synthesizeTrainingPipeline({ context: config.context, training: config.training, metricDefinitions: config.metricDefinitions });
  return { json };
}
