import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { list } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCdkContext } from '../../../src/core/config/cdk-context.ts';
import { loadTrainingConfig } from '../../../src/core/config/training-config.ts';
import { REQUEST_CONTENT_TYPES, RESPONSE_CONTENT_TYPES } from '../../../src/core/serving/server-contract.ts';
import type { RunEvent } from '../../../src/local/events.ts';
import { ExecutionStore } from '../../../src/local/executions/execution-store.ts';
import { FolderObjectStore } from '../../../src/local/folder-object-store.ts';
import type { JsonObject } from '../../../src/local/json.ts';
import { localLayout, REPO_ROOT } from '../../../src/local/layout.ts';
import { startMlflowServer, type MlflowServer } from '../../../src/local/mlflow/mlflow-server.ts';
import { PipelineDefinitionError } from '../../../src/local/pipeline/errors.ts';
import { pythonEnvironment } from '../../../src/local/python-env.ts';
import { LocalModelRegistry } from '../../../src/local/registry/model-registry.ts';
import { runPipelineLocally } from '../../../src/local/run-pipeline.ts';
import { ARTIFACTS_BUCKET, compiledDefinition, CONTEXT, processesMentioning, testEnv, TINY_TRAINING, tinyDataset, webhookReceiver, type WebhookReceiver } from './helpers.ts';

/** The objects of the local buckets live at buckets/<bucket>/<key>. */
function pathOfUri(root: string, uri: string): string {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri);
  if (!match) throw new Error(`not an S3 URI: ${uri}`);
  return join(root, 'buckets', match[1] as string, match[2] as string);
}

async function mlflowRunsOf(url: string, executionId: string): Promise<JsonObject[]> {
  const experiment = (await (await fetch(`${url}/api/2.0/mlflow/experiments/get-by-name?experiment_name=yolo-training`)).json()) as { experiment: { experiment_id: string } };
  const search = await fetch(`${url}/api/2.0/mlflow/runs/search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ experiment_ids: [experiment.experiment.experiment_id], filter: `tags."yolops.execution_id" = '${executionId}'` }),
  });
  return ((await search.json()) as { runs?: JsonObject[] }).runs ?? [];
}

let root: string;
let webhook: WebhookReceiver;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'yolops-run-'));
  webhook = await webhookReceiver();
});
afterAll(async () => {
  await webhook.close();
  await rm(root, { recursive: true, force: true });
});

describe('runPipelineLocally on the compiled pipeline', () => {
  it('(a) preprocesses, trains, evaluates, passes the gate, registers, tracks in MLflow and notifies; its own MLflow server is gone after', async () => {
    const store = new FolderObjectStore({ root: localLayout(root).buckets });
    const dataset = await tinyDataset(store, 'ok-v1');
    const events: RunEvent[] = [];
    let mlflowUrl = '';
    let runsWhileUp: Promise<JsonObject[]> | undefined;
    const started = Date.now();
    const record = await runPipelineLocally({
      root,
      definition: compiledDefinition(),
      context: CONTEXT,
      inputDataUri: dataset.uri,
      parameterOverrides: { ...TINY_TRAINING, QualityThreshold: 0 },
      env: testEnv({ YOLOPS_WEBHOOK_URL: webhook.url }),
      onEvent: (event) => {
        events.push(event);
        if (event.type === 'mlflow-server-started') mlflowUrl = event.url;
        // The runner stops its server at the end, so the MLflow run is checked while Evaluate runs.
        if (event.type === 'step-finished' && event.step === 'Train') runsWhileUp = mlflowRunsOf(mlflowUrl, event.executionId);
      },
    });
    const seconds = (Date.now() - started) / 1000;
    const step = (name: string) => record.steps.find((s) => s.name === name);
    console.info(`end-to-end local run: ${seconds.toFixed(1)} s (preprocess ${step('Preprocess')?.durationSeconds} s, train ${step('Train')?.durationSeconds} s, evaluate ${step('Evaluate')?.durationSeconds} s)`);

    expect(record.failureReason).toBeUndefined();
    expect(record.status).toBe('Succeeded');
    // UseSpotInstances defaults to training-config.json's true: the spot branch runs, the on-demand one does not.
    expect(record.steps.map((s) => [s.name, s.status])).toEqual([
      ['Preprocess', 'Succeeded'],
      ['TrainOnSpot', 'Succeeded'],
      ['Train', 'Succeeded'],
      ['Evaluate', 'Succeeded'],
      ['TrainOnDemand', 'NotExecuted'],
      ['EvaluateOnDemand', 'NotExecuted'],
      ['QualityGate', 'Succeeded'],
      ['Register', 'Succeeded'],
      ['QualityGateFailed', 'NotExecuted'],
      ['QualityGateOnDemand', 'NotExecuted'],
      ['RegisterOnDemand', 'NotExecuted'],
      ['QualityGateFailedOnDemand', 'NotExecuted'],
    ]);
    expect(record.ignored).toEqual(expect.arrayContaining([expect.stringMatching(/^Train: Arguments.EnableManagedSpotTraining \(spot capacity is an AWS matter/), expect.stringMatching(/^Train: RetryPolicies \(/)]));
    const executionId = record.executionId;
    expect(await new ExecutionStore(localLayout(root).executions).get(executionId)).toEqual(record);

    // Preprocess passed the split YOLO dataset through (InputFormat's default, yolo): its outputs are in the
    // execution's folder of the artifacts bucket, preprocess.json says what it did, and Train read its dataset.
    expect(record.parameters['InputFormat']).toBe('yolo');
    const preprocessOutputs = ((step('Preprocess')?.properties?.['ProcessingOutputConfig'] as JsonObject)['Outputs'] as JsonObject[]).map((o) => [o['OutputName'], (o['S3Output'] as JsonObject)['S3Uri']]);
    const datasetUri = `s3://${ARTIFACTS_BUCKET}/pipelines/${executionId}/dataset/`;
    expect(preprocessOutputs).toEqual([['dataset', datasetUri], ['report', `s3://${ARTIFACTS_BUCKET}/pipelines/${executionId}/preprocess/`]]);
    const preprocessReport = JSON.parse(await readFile(pathOfUri(root, `s3://${ARTIFACTS_BUCKET}/pipelines/${executionId}/preprocess/preprocess.json`), 'utf8')) as JsonObject;
    expect(preprocessReport).toMatchObject({ schemaVersion: 1, format: 'yolo', converted: false, valid: true, errors: 0, classes: dataset.names, splits: { train: { images: 24 }, val: { images: 8 } } });
    expect(existsSync(pathOfUri(root, `${datasetUri}data.yaml`))).toBe(true);
    expect((step('Train')?.properties?.['InputDataConfig'] as JsonObject[]).map((c) => [c['ChannelName'], ((c['DataSource'] as JsonObject)['S3DataSource'] as JsonObject)['S3Uri']])).toEqual([['training', datasetUri]]);

    // The model artifact where SageMaker puts it, with the files at the archive root.
    const modelUri = (step('Train')?.properties?.['ModelArtifacts'] as JsonObject)['S3ModelArtifacts'] as string;
    expect(modelUri).toBe(`s3://${ARTIFACTS_BUCKET}/pipelines/${executionId}/pipelines-${executionId}-Train/output/model.tar.gz`);
    const entries: string[] = [];
    await list({ file: pathOfUri(root, modelUri), onReadEntry: (e) => void entries.push(e.path) });
    expect(entries).toEqual(expect.arrayContaining(['best.pt', 'last.pt', 'results.csv', 'args.yaml']));
    expect(existsSync(pathOfUri(root, modelUri.replace('model.tar.gz', 'output.tar.gz')))).toBe(true);
    const hyperparameters = JSON.parse(await readFile(join(root, 'executions', executionId, 'steps', 'Train', 'input', 'config', 'hyperparameters.json'), 'utf8')) as Record<string, string>;
    expect(hyperparameters).toMatchObject({ epochs: '2', imgsz: '64', sagemaker_program: '"train.py"' });
    expect(await readFile(join(root, 'executions', executionId, 'steps', 'Train', 'stdout.log'), 'utf8')).toMatch(/yolops-metrics epoch=2\/2/);
    expect((step('Train')?.properties?.['FinalMetricDataList'] as JsonObject[]).map((m) => m['MetricName'])).toEqual(expect.arrayContaining(['epoch', 'val:mAP50-95']));
    expect(events.filter((e) => e.type === 'epoch').map((e) => e.type === 'epoch' && `${e.epoch}/${e.epochs}`)).toEqual(['1/2', '2/2']);

    // evaluation.json in the evaluation output.
    const evaluation = JSON.parse(await readFile(join(root, 'buckets', ARTIFACTS_BUCKET, 'pipelines', executionId, 'evaluation', 'evaluation.json'), 'utf8')) as { schema_version: number; metrics: Record<string, number> };
    expect(evaluation.schema_version).toBe(1);
    expect(Object.keys(evaluation.metrics).sort()).toEqual(['mAP50', 'mAP50_95', 'precision', 'recall']);
    expect(record.decisions).toEqual([
      { step: 'TrainOnSpot', outcome: true, conditions: [{ type: 'Equals', left: true, right: true, outcome: true }], branchSteps: ['Train', 'Evaluate'] },
      { step: 'QualityGate', outcome: true, conditions: [{ type: 'GreaterThanOrEqualTo', left: evaluation.metrics['mAP50_95'], right: 0, outcome: true }], branchSteps: ['Register'] },
    ]);

    // A registered version awaiting approval, with metrics and lineage.
    expect(record.registeredModel).toMatchObject({ modelPackageGroupName: 'yolops-yolo-models', version: 1, approvalStatus: 'PendingManualApproval' });
    const version = await new LocalModelRegistry(localLayout(root).registry).get('yolops-yolo-models', 1);
    expect(version).toMatchObject({
      approvalStatus: 'PendingManualApproval',
      artifactUri: modelUri,
      metrics: evaluation.metrics,
      lineage: { executionId, datasetUri: dataset.uri, codeVersion: record.parameters['CodeVersion'], pipelineName: 'yolops-yolo-training-pipeline' },
      customerMetadata: { InputDataUri: dataset.uri, InputFormat: 'yolo' },
    });
    expect(record.parameters['CodeVersion']).toMatch(/^[0-9a-f]{12}$/);
    // What serving it needs, as the pipeline states it for this repository's config and this run's code version.
    const config = loadTrainingConfig(join(REPO_ROOT, 'training-config.json'));
    const cdk = loadCdkContext(join(REPO_ROOT, 'cdk.json'));
    expect(version.inference).toEqual({
      image: `${cdk.aws_account_id}.dkr.ecr.${cdk.aws_region}.amazonaws.com/${cdk.project_name}-inference:${record.parameters['CodeVersion']}`,
      modelDataUrl: modelUri,
      environment: { YOLOPS_INFERENCE_RUNTIME: config.serving.runtime },
      contentTypes: [...REQUEST_CONTENT_TYPES],
      responseMimeTypes: [...RESPONSE_CONTENT_TYPES],
      realtimeInstanceTypes: config.serving.realtime_instance_types,
    });
    expect(record.parameters['CodeUri']).toBe(`s3://yolops-training-data-123456789012/code/${record.parameters['CodeVersion']}/`);

    // The MLflow run train.py logged, found through the REST API while the server was up.
    const runs = await (runsWhileUp ?? Promise.reject(new Error('the Train step never finished')));
    expect(runs).toHaveLength(1);
    const run = runs[0] as { info: { run_id: string; status: string }; data: { metrics?: { key: string }[] } };
    expect(run.info.status).toBe('FINISHED');
    expect(run.data.metrics?.map((m) => m.key)).toEqual(expect.arrayContaining(['val/mAP50-95']));
    expect(record.mlflow).toMatchObject({ trackingUri: mlflowUrl, experimentName: 'yolo-training', runId: run.info.run_id });

    // The notification reached the webhook.
    expect(record.notifications.map((n) => [n.channel, n.ok])).toEqual([
      ['console', true],
      ['webhook', true],
    ]);
    expect(webhook.received.at(-1)?.['body']).toMatchObject({ event: 'pipeline.succeeded', executionId, registeredModel: { version: 1, metrics: evaluation.metrics } });

    // No MLflow (or any other) process of this root is left.
    expect(processesMentioning(root)).toEqual([]);
  });

  describe('with a shared MLflow server (MLFLOW_TRACKING_URI set: the runner starts none)', () => {
    let server: MlflowServer;
    beforeAll(async () => {
      server = await startMlflowServer({ python: pythonEnvironment(join(REPO_ROOT, '.venv')), backendStoreDb: join(root, 'shared-mlflow', 'mlflow.db'), artifactsDir: join(root, 'shared-mlflow', 'artifacts') });
    });
    afterAll(async () => {
      await server.stop();
      expect(processesMentioning(root)).toEqual([]);
    });

    it('(b) on demand (UseSpotInstances=false), a gate that fails: the Fail step names metric and threshold, nothing registered, failure notified', async () => {
      const groupDir = join(root, 'registry', 'yolops-yolo-models');
      const before = existsSync(groupDir) ? (await new LocalModelRegistry(localLayout(root).registry).list('yolops-yolo-models')).length : 0;
      const store = new FolderObjectStore({ root: localLayout(root).buckets });
      const dataset = await tinyDataset(store, 'gate-v1');
      const events: RunEvent[] = [];
      const record = await runPipelineLocally({
        root,
        definition: compiledDefinition(),
        context: CONTEXT,
        inputDataUri: dataset.uri,
        parameterOverrides: { ...TINY_TRAINING, QualityThreshold: 1.0, UseSpotInstances: false },
        env: testEnv({ YOLOPS_WEBHOOK_URL: webhook.url, MLFLOW_TRACKING_URI: server.url }),
        onEvent: (e) => events.push(e),
      });
      expect(events.some((e) => e.type === 'mlflow-server-started')).toBe(false);
      expect(record.parameters['MlflowTrackingUri']).toBe(server.url);
      expect(record.status).toBe('Failed');
      expect(record.failedStep).toBe('QualityGateFailedOnDemand');
      expect(record.steps.filter((s) => s.status !== 'NotExecuted').map((s) => s.name)).toEqual(['Preprocess', 'TrainOnSpot', 'TrainOnDemand', 'EvaluateOnDemand', 'QualityGateOnDemand', 'QualityGateFailedOnDemand']);
      expect(record.failureReason).toMatch(/^Quality gate failed: mAP50-95 \(metrics\.mAP50_95 in evaluation\.json\) is [0-9.e-]+, below QualityThreshold 1\b/);
      expect(record.steps.find((s) => s.name === 'RegisterOnDemand')).toMatchObject({ status: 'NotExecuted', notExecutedReason: 'condition "QualityGateOnDemand" evaluated to false, so its IfSteps do not run' });
      expect(record.decisions.map((d) => [d.step, d.outcome])).toEqual([['TrainOnSpot', false], ['QualityGateOnDemand', false]]);
      expect(record.decisions[1]).toMatchObject({ outcome: false, conditions: [{ type: 'GreaterThanOrEqualTo', right: 1 }] });
      expect(record.registeredModel).toBeUndefined();
      expect((await new LocalModelRegistry(localLayout(root).registry).list('yolops-yolo-models')).length).toBe(before);
      expect(webhook.received.at(-1)?.['body']).toMatchObject({ event: 'pipeline.failed', executionId: record.executionId, failedStep: 'QualityGateFailedOnDemand', failureReason: record.failureReason });
    });

    it('(c) a bad dataset: Preprocess refuses it with its reason and preprocess.json, nothing trained or registered', async () => {
      const store = new FolderObjectStore({ root: localLayout(root).buckets });
      const dataset = await tinyDataset(store, 'bad-v1');
      const labelDir = join(root, 'buckets', dataset.bucket, 'split_dataset', 'bad-v1', 'labels', 'train');
      const { readdir } = await import('node:fs/promises');
      const label = (await readdir(labelDir)).sort()[0] as string;
      await writeFile(join(labelDir, label), '7 0.5 0.5 0.2 0.2\n');
      const registryBefore = await new LocalModelRegistry(localLayout(root).registry).list();
      const record = await runPipelineLocally({
        root,
        definition: compiledDefinition(),
        context: CONTEXT,
        inputDataUri: dataset.uri,
        parameterOverrides: { ...TINY_TRAINING, QualityThreshold: 0 },
        env: testEnv({ YOLOPS_WEBHOOK_URL: webhook.url, MLFLOW_TRACKING_URI: server.url }),
      });
      expect(record.status).toBe('Failed');
      expect(record.failedStep).toBe('Preprocess');
      const jobDir = join(root, 'executions', record.executionId, 'steps', 'Preprocess');
      // The job's exit message (SageMaker's /opt/ml/output/message) is the step's failure reason.
      const message = (await readFile(join(jobDir, 'opt', 'ml', 'output', 'message'), 'utf8')).trim();
      expect(message).toMatch(/class/i);
      expect(record.failureReason).toBe(`AlgorithmError: processing job pipelines-${record.executionId}-Preprocess exited with code 2: ${message}`);
      const report = JSON.parse(await readFile(join(jobDir, 'opt', 'ml', 'processing', 'report', 'preprocess.json'), 'utf8')) as { valid: boolean; errors: number; problems: { severity: string; where: string }[] };
      expect(report.valid).toBe(false);
      expect(report.errors).toBeGreaterThan(0);
      expect(report.problems.find((p) => p.severity === 'error')?.where).toContain(label);
      expect(record.steps.slice(1).map((s) => s.status)).toEqual(Array<string>(11).fill('NotExecuted'));
      expect(await new LocalModelRegistry(localLayout(root).registry).list()).toEqual(registryBefore);
      expect(webhook.received.at(-1)?.['body']).toMatchObject({ event: 'pipeline.failed', failedStep: 'Preprocess', failureReason: record.failureReason });
    });
  });

  it('(d) an unknown step type: a clear error naming it and its place, before anything runs', async () => {
    const definition = compiledDefinition();
    (definition['Steps'] as JsonObject[]).push({ Name: 'DeployEndpoint', Type: 'Lambda', Arguments: { FunctionArn: 'arn:aws:lambda:ap-southeast-2:123456789012:function:deploy' } });
    const executions = await new ExecutionStore(localLayout(root).executions).list();
    const error = await runPipelineLocally({ root, definition, context: CONTEXT, inputDataUri: 's3://yolops-training-data-123456789012/split_dataset/ok-v1/', env: testEnv() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineDefinitionError);
    expect((error as PipelineDefinitionError).location).toBe('Steps[4].Type');
    expect((error as Error).message).toBe('Steps[4].Type: step "DeployEndpoint" has type "Lambda", which the local runner cannot run (it runs Training, Processing, Condition, RegisterModel, Fail)');
    expect(await new ExecutionStore(localLayout(root).executions).list()).toEqual(executions);
    expect(processesMentioning(root)).toEqual([]);
  });
});
