import { LocalError } from '../errors.ts';
import { isJsonObject, type JsonObject, type JsonValue } from '../json.ts';

/**
 * The few MLflow REST calls the local backend needs (find an execution's run), over fetch. The npm `mlflow`
 * package is stale (it calls removed endpoints), hence this small typed client.
 */
export interface MlflowRunRef {
  experimentId: string;
  runId: string;
  runName?: string;
  status?: string;
  /** The run's page in the MLflow UI. */
  url: string;
}

/** The MLflow server answered a call with an error: callers branch on `status` (and MLflow's `errorCode`). */
export class MlflowApiError extends LocalError {
  readonly status: number;
  /** MLflow's `error_code`, e.g. RESOURCE_DOES_NOT_EXIST, when the answer carried one. */
  readonly errorCode: string | undefined;

  constructor(method: string, path: string, status: number, errorCode: string | undefined, detail: string) {
    super(`MLflow ${method} ${path} answered HTTP ${status}${errorCode ? ` ${errorCode}` : ''}: ${detail}`);
    this.status = status;
    this.errorCode = errorCode;
  }
}

export class MlflowClient {
  readonly trackingUri: string;

  constructor(trackingUri: string) {
    this.trackingUri = trackingUri.replace(/\/+$/, '');
  }

  private async call(method: 'GET' | 'POST', path: string, body?: JsonObject): Promise<JsonObject> {
    const response = await fetch(`${this.trackingUri}/api/2.0/mlflow/${path}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      ...(body ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    let parsed: JsonValue;
    try {
      parsed = JSON.parse(text) as JsonValue;
    } catch {
      parsed = { message: text.slice(0, 200) };
    }
    if (!response.ok || !isJsonObject(parsed)) {
      const message = isJsonObject(parsed) && typeof parsed['message'] === 'string' ? parsed['message'] : text.slice(0, 200);
      const errorCode = isJsonObject(parsed) && typeof parsed['error_code'] === 'string' ? parsed['error_code'] : undefined;
      throw new MlflowApiError(method, path, response.status, errorCode, message);
    }
    return parsed;
  }

  /** The experiment's id, or undefined when there is no experiment of that name. */
  async experimentId(name: string): Promise<string | undefined> {
    try {
      const answer = await this.call('GET', `experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`);
      const experiment = answer['experiment'];
      return isJsonObject(experiment) && typeof experiment['experiment_id'] === 'string' ? experiment['experiment_id'] : undefined;
    } catch (error) {
      if (error instanceof MlflowApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** Runs of an experiment matching an MLflow filter string, newest first. */
  async searchRuns(experimentId: string, filter: string): Promise<MlflowRunRef[]> {
    const answer = await this.call('POST', 'runs/search', { experiment_ids: [experimentId], filter, max_results: 10, order_by: ['attributes.start_time DESC'] });
    const runs = Array.isArray(answer['runs']) ? answer['runs'] : [];
    return runs.flatMap((run) => {
      const info = isJsonObject(run) ? run['info'] : undefined;
      if (!isJsonObject(info) || typeof info['run_id'] !== 'string') return [];
      const ref: MlflowRunRef = { experimentId, runId: info['run_id'], url: `${this.trackingUri}/#/experiments/${experimentId}/runs/${info['run_id']}` };
      if (typeof info['run_name'] === 'string') ref.runName = info['run_name'];
      if (typeof info['status'] === 'string') ref.status = info['status'];
      return [ref];
    });
  }

  /** The run train.py logged for a pipeline execution (it tags runs with `yolops.execution_id`). */
  async findExecutionRun(experimentName: string, executionId: string): Promise<MlflowRunRef | undefined> {
    const experimentId = await this.experimentId(experimentName);
    if (experimentId === undefined) return undefined;
    const runs = await this.searchRuns(experimentId, `tags."yolops.execution_id" = '${executionId.replace(/'/g, '')}'`);
    return runs[0];
  }
}
