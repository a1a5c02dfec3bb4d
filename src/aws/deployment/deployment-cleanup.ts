import { DeleteEndpointConfigCommand, DeleteModelCommand, ListEndpointConfigsCommand, ListModelsCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SETTLED_STATUSES, type StageState } from '../../core/deploy/stage-state.ts';
import { deploymentCallError, isNotFound } from './deployment-errors.ts';
import { endpointConfigSummary, modelSummary, type NamedSummary } from './endpoint-records.ts';

export interface CleanupResult {
  models: string[];
  endpointConfigs: string[];
  /** Why nothing was looked at, when nothing was. */
  skipped?: string;
}

/**
 * Deletes the models and endpoint configurations under `prefix` that the stage no longer uses: never the ones
 * in service or being deployed, and only those created before the configuration in service, so that a deployment
 * that has created its model but not yet called UpdateEndpoint keeps it. Runs only while the endpoint is settled.
 */
export async function cleanUpStage(client: SageMakerClient, state: StageState, prefix: string): Promise<CleanupResult> {
  if (!state.exists || state.status === undefined || !SETTLED_STATUSES.has(state.status) || state.current === undefined) {
    return { models: [], endpointConfigs: [], skipped: `the endpoint ${state.endpointName} is ${state.exists ? (state.status ?? 'in an unknown state') : 'absent'}` };
  }
  const cutoff = state.current.createdAt;
  if (cutoff === undefined) return { models: [], endpointConfigs: [], skipped: `the configuration in service (${state.current.endpointConfigName}) cannot be read` };
  const inUse = new Set([state.current, state.pending].flatMap((d) => (d ? [d.endpointConfigName, d.modelName ?? ''] : [])));
  const stale = (s: NamedSummary): boolean => s.name.startsWith(prefix) && !inUse.has(s.name) && s.createdAt !== undefined && s.createdAt < cutoff;

  const configs = (await listAll(client, 'ListEndpointConfigs', prefix)).filter(stale);
  const models = (await listAll(client, 'ListModels', prefix)).filter(stale);
  const result: CleanupResult = { models: [], endpointConfigs: [] };
  // Configurations first: a model is never left referenced by a configuration that outlives it.
  for (const config of configs) {
    try {
      await client.send(new DeleteEndpointConfigCommand({ EndpointConfigName: config.name }));
      result.endpointConfigs.push(config.name);
    } catch (error) {
      if (!isNotFound(error)) throw deploymentCallError(error, 'DeleteEndpointConfig', `endpoint configuration ${config.name}`);
    }
  }
  for (const model of models) {
    try {
      await client.send(new DeleteModelCommand({ ModelName: model.name }));
      result.models.push(model.name);
    } catch (error) {
      if (!isNotFound(error)) throw deploymentCallError(error, 'DeleteModel', `model ${model.name}`);
    }
  }
  return result;
}

async function listAll(client: SageMakerClient, operation: 'ListModels' | 'ListEndpointConfigs', prefix: string): Promise<NamedSummary[]> {
  const found: NamedSummary[] = [];
  let nextToken: string | undefined;
  do {
    const request = { NameContains: prefix, MaxResults: 100, ...(nextToken ? { NextToken: nextToken } : {}) };
    try {
      if (operation === 'ListModels') {
        const page = await client.send(new ListModelsCommand(request));
        found.push(...(page.Models ?? []).map(modelSummary));
        nextToken = page.NextToken || undefined;
      } else {
        const page = await client.send(new ListEndpointConfigsCommand(request));
        found.push(...(page.EndpointConfigs ?? []).map(endpointConfigSummary));
        nextToken = page.NextToken || undefined;
      }
    } catch (error) {
      throw deploymentCallError(error, operation, `names starting with ${prefix}`);
    }
  } while (nextToken);
  return found;
}
