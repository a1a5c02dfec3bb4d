import { randomUUID } from 'node:crypto';
import { DescribePipelineCommand, ListPipelinesCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PipelineExecutionNotFoundError, PipelineNotFoundError, SageMakerError, SageMakerRequestError } from '../../../src/aws/sagemaker-errors.ts';
import { SageMakerPipelines } from '../../../src/aws/sagemaker-pipelines.ts';
import { synthesizeTrainingPipelineFromFiles } from '../../../src/core/pipeline/index.ts';
import type { StartExecutionRequest } from '../../../src/core/trigger/ports.ts';
import { REPO_ROOT } from '../../../src/local/layout.ts';
import { MOTO_ACCOUNT, MOTO_REGION, startMoto, type MotoServer } from './moto.ts';

const PIPELINE = 'yolops-yolo-training-pipeline';
const ROLE = `arn:aws:iam::${MOTO_ACCOUNT}:role/yolops-pipeline-execution`;

/** The compiler's real output for this repository's config, as `npx cdk deploy` would deploy it. */
const definition = JSON.stringify(JSON.parse(synthesizeTrainingPipelineFromFiles({ root: REPO_ROOT }).json));

let moto: MotoServer;
let client: SageMakerClient;
let pipelines: SageMakerPipelines;

beforeAll(async () => {
  moto = await startMoto();
  // One attempt: the calls moto does not implement answer HTTP 500, which the SDK would otherwise retry.
  client = new SageMakerClient({ ...moto.clientConfig, maxAttempts: 1 });
  pipelines = new SageMakerPipelines(client);
});
afterAll(async () => {
  client?.destroy();
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
});

function request(overrides: Partial<StartExecutionRequest> = {}): StartExecutionRequest {
  return {
    pipelineName: PIPELINE,
    parameters: { InputDataUri: 's3://yolops-training-data-123456789012/datasets/v1/', Epochs: '2' },
    clientRequestToken: `dataset-v1-${randomUUID()}`,
    displayName: 'dataset-v1',
    description: 'New dataset version datasets/v1/ (1234 images)',
    ...overrides,
  };
}

describe('upsert', () => {
  it('creates the pipeline with the compiled definition, then updates it in place', async () => {
    const created = await pipelines.upsert({ pipelineName: PIPELINE, definition, roleArn: ROLE, description: 'first' });
    expect(created).toBe(`arn:aws:sagemaker:${MOTO_REGION}:${MOTO_ACCOUNT}:pipeline/${PIPELINE}`);
    const first = await client.send(new DescribePipelineCommand({ PipelineName: PIPELINE }));
    expect(JSON.parse(first.PipelineDefinition ?? '')).toEqual(JSON.parse(definition));
    expect(first).toMatchObject({ RoleArn: ROLE, PipelineDescription: 'first' });

    const changed = JSON.parse(definition) as { Parameters: { Name: string; DefaultValue?: unknown }[] };
    const epochs = changed.Parameters.find((p) => p.Name === 'Epochs');
    if (!epochs) throw new Error('the compiled definition has no Epochs parameter');
    epochs.DefaultValue = 7;
    const otherRole = `arn:aws:iam::${MOTO_ACCOUNT}:role/x`;
    const updated = await pipelines.upsert({ pipelineName: PIPELINE, definition: JSON.stringify(changed), roleArn: otherRole, description: 'second' });

    expect(updated).toBe(created);
    const second = await client.send(new DescribePipelineCommand({ PipelineName: PIPELINE }));
    expect(JSON.parse(second.PipelineDefinition ?? '')).toEqual(changed);
    expect(second).toMatchObject({ RoleArn: otherRole, PipelineDescription: 'second' });
    expect((await client.send(new ListPipelinesCommand({}))).PipelineSummaries?.map((p) => p.PipelineName)).toEqual([PIPELINE]);
  });
});

describe('executions', () => {
  beforeEach(async () => {
    await pipelines.upsert({ pipelineName: PIPELINE, definition, roleArn: ROLE });
  });

  it('starts with parameters, display name and description, and reads them back', async () => {
    const started = request();
    const { executionArn } = await pipelines.startExecution(started);
    expect(executionArn).toMatch(new RegExp(`^arn:aws:sagemaker:${MOTO_REGION}:${MOTO_ACCOUNT}:pipeline/${PIPELINE}/execution/[a-z0-9]+$`));

    const execution = await pipelines.describeExecution(executionArn);
    expect(execution).toEqual({
      executionArn,
      pipelineName: PIPELINE,
      executionId: executionArn.split('/').at(-1),
      // moto finishes every execution at once; on SageMaker it starts Executing.
      status: 'Succeeded',
      displayName: 'dataset-v1',
      description: started.description,
      createdAt: expect.any(Date),
      lastModifiedAt: expect.any(Date),
      parameters: started.parameters,
    });
    // No call answers the ClientRequestToken, and moto stores it without deduplicating on it: that the same token
    // twice starts one execution is SageMaker's promise, not tested here.
  });

  it('lists executions newest first by default, oldest first on request, up to a limit', async () => {
    const first = await pipelines.startExecution(request({ displayName: 'first' }));
    await new Promise((r) => setTimeout(r, 20)); // distinct start times
    const second = await pipelines.startExecution(request({ displayName: 'second' }));

    const newest = await pipelines.listExecutions(PIPELINE);
    expect(newest.map((e) => e.executionArn)).toEqual([second.executionArn, first.executionArn]);
    expect(newest[0]).toEqual({ executionArn: second.executionArn, executionId: second.executionArn.split('/').at(-1), status: 'Succeeded', startedAt: expect.any(Date), displayName: 'second', description: request().description });
    // moto answers the failure reason "None" for every execution; only a Failed one keeps it.
    expect(newest[0]).not.toHaveProperty('failureReason');

    expect((await pipelines.listExecutions(PIPELINE, { order: 'oldest-first' })).map((e) => e.displayName)).toEqual(['first', 'second']);
    // moto ignores MaxResults and NextToken (one page of everything): the limit is applied by the adapter.
    expect((await pipelines.listExecutions(PIPELINE, { limit: 1, pageSize: 1 })).map((e) => e.displayName)).toEqual(['second']);
  });

  it('says what to do about a missing pipeline, execution, or a request SageMaker would refuse', async () => {
    const missing = await pipelines.startExecution(request({ pipelineName: 'not-deployed' })).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(PipelineNotFoundError);
    expect(missing).toMatchObject({ audience: 'user', message: `pipeline not-deployed does not exist in ${MOTO_REGION}: deploy it first with npx cdk deploy --all` });
    await expect(pipelines.listExecutions('not-deployed')).rejects.toBeInstanceOf(PipelineNotFoundError);

    const unknownExecution = `arn:aws:sagemaker:${MOTO_REGION}:${MOTO_ACCOUNT}:pipeline/${PIPELINE}/execution/doesnotexist`;
    const gone = await pipelines.describeExecution(unknownExecution).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(PipelineExecutionNotFoundError);
    expect(gone).toMatchObject({ audience: 'user', message: expect.stringContaining(`${unknownExecution} does not exist in ${MOTO_REGION}`) });

    const refused = await pipelines.startExecution(request({ clientRequestToken: 'short', displayName: 'has spaces' })).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SageMakerRequestError);
    expect(refused).toMatchObject({ audience: 'user', message: expect.stringMatching(/clientRequestToken must be 32-128 characters.*displayName "has spaces"/) });
    await expect(pipelines.describeExecution('not-an-arn')).rejects.toThrow(/is not a pipeline execution ARN/);
  });

  // moto 5.2.5 implements neither ListPipelineExecutionSteps nor StopPipelineExecution: it answers HTTP 500 with
  // an HTML page. What can be tested here is that the adapter reports such a failure as an internal
  // SageMakerError naming the call; the step mapping itself is unit-tested (test/unit/aws).
  it('reports calls moto does not implement (ListPipelineExecutionSteps, StopPipelineExecution) as internal errors', async () => {
    const { executionArn } = await pipelines.startExecution(request());
    for (const [operation, call] of [
      ['ListPipelineExecutionSteps', () => pipelines.listSteps(executionArn)],
      ['StopPipelineExecution', () => pipelines.stopExecution(executionArn)],
    ] as const) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SageMakerError);
      expect(error).toMatchObject({ audience: 'internal', operation, message: expect.stringContaining(`SageMaker ${operation} for ${executionArn} failed`) });
    }
  });
});
