import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { describe, expect, it } from 'vitest';
import { parseExecutionArn, stepFromAnswer, UnexpectedSageMakerAnswerError, executionSummaryFromAnswer } from '../../../src/aws/pipeline-execution-records.ts';
import { PipelineNotFoundError, SageMakerError, SageMakerLimitError, SageMakerRequestError } from '../../../src/aws/sagemaker-errors.ts';
import { SageMakerPipelines } from '../../../src/aws/sagemaker-pipelines.ts';

const EXECUTION = 'arn:aws:sagemaker:eu-west-1:123456789012:pipeline/yolops-pipeline/execution/k3x9q2m1v8ab';

/** A service error as the SDK throws it: a name, a message and response metadata. */
function serviceError(name: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

/** A client whose `send` answers from a list (an answer, or an error to throw), recording the inputs. */
function stubClient(answers: unknown[]): { client: SageMakerClient; inputs: { command: string; input: unknown }[] } {
  const inputs: { command: string; input: unknown }[] = [];
  const client = {
    config: { region: async () => 'eu-west-1' },
    send: async (command: { constructor: { name: string }; input: unknown }) => {
      inputs.push({ command: command.constructor.name, input: command.input });
      const answer = answers.shift();
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return { client: client as unknown as SageMakerClient, inputs };
}

describe('SageMakerPipelines error mapping', () => {
  it('names the region and the deploy command for a pipeline SageMaker does not know (ResourceNotFound)', async () => {
    const { client } = stubClient([serviceError('ResourceNotFound', "Pipeline 'arn:aws:sagemaker:eu-west-1:123456789012:pipeline/yolops-pipeline' does not exist.")]);
    const error = await new SageMakerPipelines(client).listExecutions('yolops-pipeline').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineNotFoundError);
    expect(error).toMatchObject({ audience: 'user', message: 'pipeline yolops-pipeline does not exist in eu-west-1: deploy it first with npx cdk deploy --all' });
  });

  it("passes SageMaker's ValidationException message on as a user error", async () => {
    const { client } = stubClient([serviceError('ValidationException', 'Parameter Epochs expects an Integer, found "two"')]);
    const error = await new SageMakerPipelines(client).startExecution({ pipelineName: 'p', parameters: { Epochs: 'two' }, clientRequestToken: 'x'.repeat(32), displayName: 'd', description: '' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SageMakerRequestError);
    expect(error).toMatchObject({ audience: 'user', message: 'SageMaker refused StartPipelineExecution for pipeline p: Parameter Epochs expects an Integer, found "two"' });
  });

  it('does not take a ValidationException about something else missing for a missing pipeline', async () => {
    const { client } = stubClient([serviceError('ValidationException', 'Pipeline parameter Foo does not exist in the pipeline definition')]);
    const error = await new SageMakerPipelines(client).startExecution({ pipelineName: 'p', parameters: { Foo: '1' }, clientRequestToken: 'x'.repeat(32), displayName: 'd', description: '' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SageMakerRequestError);
  });

  it('explains ResourceLimitExceeded as too many running executions', async () => {
    const { client } = stubClient([serviceError('ResourceLimitExceeded', 'The account-level service limit is exceeded')]);
    const error = await new SageMakerPipelines(client).startExecution({ pipelineName: 'p', parameters: {}, clientRequestToken: 'x'.repeat(32), displayName: 'd', description: '' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SageMakerLimitError);
    expect(error).toMatchObject({ audience: 'user', message: expect.stringMatching(/too many pipeline executions are running at once in eu-west-1 \(The account-level service limit is exceeded\)\. Wait for running executions/) });
  });

  it('reports what is left of throttling after the SDK retries as an internal failure', async () => {
    const { client } = stubClient([serviceError('ThrottlingException', 'Rate exceeded')]);
    const error = await new SageMakerPipelines(client).describeExecution(EXECUTION).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SageMakerError);
    expect(error).toMatchObject({ audience: 'internal', message: `SageMaker DescribePipelineExecution for ${EXECUTION} failed: ThrottlingException: Rate exceeded` });
  });
});

describe('SageMakerPipelines requests and answers', () => {
  it('creates a pipeline it cannot describe, with a token derived from the request', async () => {
    const { client, inputs } = stubClient([serviceError('ResourceNotFound', 'does not exist'), { PipelineArn: 'arn:p' }]);
    expect(await new SageMakerPipelines(client).upsert({ pipelineName: 'p', definition: '{}', roleArn: 'arn:r' })).toBe('arn:p');
    expect(inputs.map((i) => i.command)).toEqual(['DescribePipelineCommand', 'CreatePipelineCommand']);
    expect(inputs[1]?.input).toMatchObject({ PipelineName: 'p', PipelineDefinition: '{}', RoleArn: 'arn:r', ClientRequestToken: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('lists steps across pages, oldest first, with what each step ran', async () => {
    const { client, inputs } = stubClient([
      {
        PipelineExecutionSteps: [
          { StepName: 'TrainModel', StepStatus: 'Succeeded', StartTime: new Date(1000), EndTime: new Date(2000), AttemptCount: 1, Metadata: { TrainingJob: { Arn: 'arn:training-job/t' } } },
          { StepName: 'EvaluateModel', StepStatus: 'Succeeded', CacheHitResult: { SourcePipelineExecutionArn: 'arn:earlier' }, Metadata: { ProcessingJob: { Arn: 'arn:processing-job/e' } } },
        ],
        NextToken: 'page2',
      },
      {
        PipelineExecutionSteps: [
          { StepName: 'QualityGate', StepStatus: 'Succeeded', Metadata: { Condition: { Outcome: 'False' } } },
          { StepName: 'QualityGateFailed', StepStatus: 'Failed', FailureReason: 'gate', Metadata: { Fail: { ErrorMessage: 'mAP50-95 below 0.5' } } },
        ],
      },
    ]);
    const steps = await new SageMakerPipelines(client).listSteps(EXECUTION);
    expect(inputs.map((i) => i.input)).toEqual([
      { PipelineExecutionArn: EXECUTION, SortOrder: 'Ascending', MaxResults: 100 },
      { PipelineExecutionArn: EXECUTION, SortOrder: 'Ascending', MaxResults: 100, NextToken: 'page2' },
    ]);
    expect(steps).toEqual([
      { name: 'TrainModel', status: 'Succeeded', startedAt: new Date(1000), endedAt: new Date(2000), attemptCount: 1, jobArn: 'arn:training-job/t' },
      { name: 'EvaluateModel', status: 'Succeeded', cachedFrom: 'arn:earlier', jobArn: 'arn:processing-job/e' },
      { name: 'QualityGate', status: 'Succeeded', conditionOutcome: false },
      { name: 'QualityGateFailed', status: 'Failed', failureReason: 'gate', failMessage: 'mAP50-95 below 0.5' },
    ]);
  });

  it('asks SageMaker to stop an execution with a fresh token', async () => {
    const { client, inputs } = stubClient([{ PipelineExecutionArn: EXECUTION }]);
    await new SageMakerPipelines(client).stopExecution(EXECUTION);
    expect(inputs).toEqual([{ command: 'StopPipelineExecutionCommand', input: { PipelineExecutionArn: EXECUTION, ClientRequestToken: expect.stringMatching(/^[0-9a-f-]{36}$/) } }]);
  });
});

describe('pipeline execution records', () => {
  it('reads the pipeline name and execution id from an execution ARN', () => {
    expect(parseExecutionArn(EXECUTION)).toEqual({ pipelineName: 'yolops-pipeline', executionId: 'k3x9q2m1v8ab' });
    expect(parseExecutionArn('arn:aws:sagemaker:eu-west-1:123456789012:pipeline/yolops-pipeline')).toBeUndefined();
  });

  it('keeps a failure reason only for a Failed execution', () => {
    expect(executionSummaryFromAnswer({ PipelineExecutionArn: EXECUTION, PipelineExecutionStatus: 'Succeeded', PipelineExecutionFailureReason: 'None' })).not.toHaveProperty('failureReason');
    expect(executionSummaryFromAnswer({ PipelineExecutionArn: EXECUTION, PipelineExecutionStatus: 'Failed', PipelineExecutionFailureReason: 'OOM' })).toMatchObject({ failureReason: 'OOM' });
  });

  it('refuses an answer without what the code relies on', () => {
    expect(() => stepFromAnswer({ StepName: 'TrainModel', StepStatus: 'Paused' })).toThrow(UnexpectedSageMakerAnswerError);
    expect(() => executionSummaryFromAnswer({ PipelineExecutionStatus: 'Succeeded' })).toThrow(/ListPipelineExecutions is not what yolops expects: PipelineExecutionArn/);
  });
});
