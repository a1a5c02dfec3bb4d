import { synthesizeTrainingPipeline } from '../core/pipeline/index.ts';
import type { InfraConfig } from './config.ts';
import type { PipelineDefinitionSource } from './compiled-pipeline-facts.ts';

/**
 * The compiled pipeline definition for this config, from the compiler of the local backend: the CLI and the
 * local runner get the same bytes from the same inputs. `codeVersion` is the code bundle `cdk deploy` uploads
 * with the pipeline: it becomes the default of CodeVersion and CodeUri, so an execution needs neither (the
 * trigger and the Deploy-and-Train workflow may still pass another bundle).
 */
export function compilePipelineDefinition(config: InfraConfig, codeVersion: string): PipelineDefinitionSource {
  const { json } = synthesizeTrainingPipeline({ context: config.context, training: config.training, metricDefinitions: config.metricDefinitions, codeVersion });
  return { json };
}
