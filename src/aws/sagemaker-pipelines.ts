import { createHash, randomUUID } from 'node:crypto';
import {
  CreatePipelineCommand,
  DescribePipelineCommand,
  DescribePipelineExecutionCommand,
  ListPipelineExecutionsCommand,
  ListPipelineExecutionStepsCommand,
  ListPipelineParametersForExecutionCommand,
  StartPipelineExecutionCommand,
  StopPipelineExecutionCommand,
  UpdatePipelineCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import type { PipelineStarter, StartedExecution, StartExecutionRequest } from '../core/trigger/ports.ts';
import {
  executionFromAnswers,
  deployedPipelineFromAnswer,
  executionSummaryFromAnswer,
  parseExecutionArn,
  stepFromAnswer,
  UnexpectedSageMakerAnswerError,
  type DeployedPipeline,
  type PipelineExecution,
  type PipelineExecutionSummary,
  type PipelineStep,
} from './pipeline-execution-records.ts';
import { PipelineNotFoundError, pipelineCallError, SageMakerRequestError, type SageMakerCallContext } from './sagemaker-errors.ts';
import { clientRegion, serviceErrorInfo } from './sdk-errors.ts';

export interface UpsertPipelineInput {
  pipelineName: string;
  /** The compiled definition JSON (src/core/pipeline). */
  definition: string;
  /** The role SageMaker assumes to run the pipeline's jobs. */
  roleArn: string;
  description?: string;
}

export interface ListExecutionsOptions {
  /** @default 'newest-first' */
  order?: 'newest-first' | 'oldest-first';
  /** Stop after this many executions; all when absent. */
  limit?: number;
  /** Executions per ListPipelineExecutions call, 1-100. @default 100 */
  pageSize?: number;
  createdAfter?: Date;
  createdBefore?: Date;
}

type CallContext = Omit<SageMakerCallContext, 'region'>;

const TOKEN_LENGTH = { min: 32, max: 128 };
const DISPLAY_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,81}$/;
const MAX_DESCRIPTION = 3072;
const MAX_PAGE_SIZE = 100;

/**
 * The SageMaker Pipelines of one account and region: deploy a definition, start, watch and stop executions.
 * Implements the trigger's PipelineStarter. Failures are SageMakerErrors (./sagemaker-errors.ts); a missing
 * pipeline or execution, and requests SageMaker refuses, are user errors that say what to do.
 */
export class SageMakerPipelines implements PipelineStarter {
  private readonly client: SageMakerClient;

  constructor(client: SageMakerClient) {
    this.client = client;
  }

  /** Creates the pipeline, or updates the definition, role and description of the existing one; its ARN. */
  async upsert(input: UpsertPipelineInput): Promise<string> {
    const { pipelineName } = input;
    const exists = await this.pipelineExists(pipelineName);
    if (exists) return this.update(input);
    try {
      const answer = await this.call({ operation: 'CreatePipeline', pipelineName }, () =>
        this.client.send(
          new CreatePipelineCommand({
            PipelineName: pipelineName,
            PipelineDefinition: input.definition,
            RoleArn: input.roleArn,
            ...(input.description !== undefined ? { PipelineDescription: input.description } : {}),
            // Derived from the request, so a retried or concurrent upsert of the same definition is one create
            // to SageMaker rather than a second one failing on the name.
            ClientRequestToken: createHash('sha256').update(JSON.stringify([pipelineName, input.definition, input.roleArn, input.description ?? null])).digest('hex'),
          }),
        ),
      );
      return requiredArn(answer.PipelineArn, 'CreatePipeline');
    } catch (error) {
      // Created by someone else between our DescribePipeline and CreatePipeline: update that one.
      const info = serviceErrorInfo((error as Error).cause);
      if (info && (info.name === 'ResourceInUse' || /already exists/i.test(info.message))) return this.update(input);
      throw error;
    }
  }

  async startExecution(request: StartExecutionRequest): Promise<StartedExecution> {
    const problems = startRequestProblems(request);
    if (problems.length > 0) throw new SageMakerRequestError('StartPipelineExecution', `invalid StartPipelineExecution request for pipeline ${request.pipelineName}: ${problems.join('; ')}`);
    const answer = await this.call({ operation: 'StartPipelineExecution', pipelineName: request.pipelineName }, () =>
      this.client.send(
        new StartPipelineExecutionCommand({
          PipelineName: request.pipelineName,
          PipelineParameters: Object.entries(request.parameters).map(([Name, Value]) => ({ Name, Value })),
          ClientRequestToken: request.clientRequestToken,
          PipelineExecutionDisplayName: request.displayName,
          PipelineExecutionDescription: request.description,
        }),
      ),
    );
    return { executionArn: requiredArn(answer.PipelineExecutionArn, 'StartPipelineExecution') };
  }

  /** The execution's status, names, dates and the parameters it was started with. */
  async describeExecution(executionArn: string): Promise<PipelineExecution> {
    const context = this.executionContext('DescribePipelineExecution', executionArn);
    const described = await this.call(context, () => this.client.send(new DescribePipelineExecutionCommand({ PipelineExecutionArn: executionArn })));
    const parameterPages: unknown[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.call({ ...context, operation: 'ListPipelineParametersForExecution' }, () =>
        this.client.send(new ListPipelineParametersForExecutionCommand({ PipelineExecutionArn: executionArn, MaxResults: MAX_PAGE_SIZE, ...(nextToken ? { NextToken: nextToken } : {}) })),
      );
      parameterPages.push(page.PipelineParameters);
      nextToken = page.NextToken || undefined;
    } while (nextToken);
    return executionFromAnswers(described, parameterPages, context.pipelineName ?? '');
  }

  /** Executions of the pipeline, newest first unless asked otherwise, paging as it goes. */
  async listExecutions(pipelineName: string, options: ListExecutionsOptions = {}): Promise<PipelineExecutionSummary[]> {
    const order = options.order ?? 'newest-first';
    const pageSize = options.pageSize ?? MAX_PAGE_SIZE;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) throw new RangeError(`pageSize must be a whole number from 1 to ${MAX_PAGE_SIZE}, got ${pageSize}`);
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    const out: PipelineExecutionSummary[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.call({ operation: 'ListPipelineExecutions', pipelineName }, () =>
        this.client.send(
          new ListPipelineExecutionsCommand({
            PipelineName: pipelineName,
            SortBy: 'CreationTime',
            SortOrder: order === 'newest-first' ? 'Descending' : 'Ascending',
            MaxResults: pageSize,
            ...(options.createdAfter ? { CreatedAfter: options.createdAfter } : {}),
            ...(options.createdBefore ? { CreatedBefore: options.createdBefore } : {}),
            ...(nextToken ? { NextToken: nextToken } : {}),
          }),
        ),
      );
      for (const summary of page.PipelineExecutionSummaries ?? []) out.push(executionSummaryFromAnswer(summary));
      nextToken = page.NextToken || undefined;
    } while (nextToken && out.length < limit);
    // Sorted here as well: the order is this method's promise even from a server that ignores SortOrder
    // (moto's does); on SageMaker it is already in this order.
    const direction = order === 'newest-first' ? -1 : 1;
    const time = (s: PipelineExecutionSummary): number => s.startedAt?.getTime() ?? 0;
    return out
      .map((summary, index) => ({ summary, index }))
      .sort((a, b) => direction * (time(a.summary) - time(b.summary)) || a.index - b.index)
      .slice(0, limit)
      .map((entry) => entry.summary);
  }

  /** The steps of an execution in the order they started. */
  async listSteps(executionArn: string): Promise<PipelineStep[]> {
    const context = this.executionContext('ListPipelineExecutionSteps', executionArn);
    const steps: PipelineStep[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.call(context, () =>
        this.client.send(new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: executionArn, SortOrder: 'Ascending', MaxResults: MAX_PAGE_SIZE, ...(nextToken ? { NextToken: nextToken } : {}) })),
      );
      for (const step of page.PipelineExecutionSteps ?? []) steps.push(stepFromAnswer(step));
      nextToken = page.NextToken || undefined;
    } while (nextToken);
    return steps;
  }

  /** Asks SageMaker to stop the execution; it goes Stopping, then Stopped once its running step has stopped. */
  async stopExecution(executionArn: string): Promise<void> {
    const context = this.executionContext('StopPipelineExecution', executionArn);
    await this.call(context, () => this.client.send(new StopPipelineExecutionCommand({ PipelineExecutionArn: executionArn, ClientRequestToken: randomUUID() })));
  }

  /** The deployed pipeline: its ARN, the role it runs as and its definition; PipelineNotFoundError when there is none. */
  async describePipeline(pipelineName: string): Promise<DeployedPipeline> {
    const answer = await this.call({ operation: 'DescribePipeline', pipelineName }, () => this.client.send(new DescribePipelineCommand({ PipelineName: pipelineName })));
    return deployedPipelineFromAnswer(answer);
  }

  /**
   * Replaces the definition (and role, description) of a pipeline that exists; never creates one, so a caller
   * needs no CreatePipeline right. PipelineNotFoundError when it is not deployed.
   */
  async update(input: UpsertPipelineInput): Promise<string> {
    const answer = await this.call({ operation: 'UpdatePipeline', pipelineName: input.pipelineName }, () =>
      this.client.send(
        new UpdatePipelineCommand({
          PipelineName: input.pipelineName,
          PipelineDefinition: input.definition,
          RoleArn: input.roleArn,
          ...(input.description !== undefined ? { PipelineDescription: input.description } : {}),
        }),
      ),
    );
    return requiredArn(answer.PipelineArn, 'UpdatePipeline');
  }

  private async pipelineExists(pipelineName: string): Promise<boolean> {
    try {
      await this.call({ operation: 'DescribePipeline', pipelineName }, () => this.client.send(new DescribePipelineCommand({ PipelineName: pipelineName })));
      return true;
    } catch (error) {
      if (error instanceof PipelineNotFoundError) return false;
      throw error;
    }
  }

  private executionContext(operation: string, executionArn: string): CallContext {
    const parsed = parseExecutionArn(executionArn);
    if (!parsed) throw new SageMakerRequestError(operation, `${JSON.stringify(executionArn)} is not a pipeline execution ARN (arn:aws:sagemaker:<region>:<account>:pipeline/<name>/execution/<id>)`);
    return { operation, pipelineName: parsed.pipelineName, executionArn };
  }

  /** Sends one request, turning a failure into the SageMakerError that explains it. */
  private async call<T>(context: CallContext, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw pipelineCallError(error, { ...context, region: await clientRegion(this.client) });
    }
  }
}

function requiredArn(arn: string | undefined, operation: string): string {
  if (!arn) throw new UnexpectedSageMakerAnswerError(operation, 'it has no ARN');
  return arn;
}

/** What SageMaker would refuse in a StartPipelineExecution request, checked first so the message names our field. */
function startRequestProblems(request: StartExecutionRequest): string[] {
  const problems: string[] = [];
  const token = request.clientRequestToken;
  if (token.length < TOKEN_LENGTH.min || token.length > TOKEN_LENGTH.max) problems.push(`clientRequestToken must be ${TOKEN_LENGTH.min}-${TOKEN_LENGTH.max} characters, found ${token.length}`);
  if (!DISPLAY_NAME.test(request.displayName)) problems.push(`displayName ${JSON.stringify(request.displayName)} must be 1-82 letters, digits and "-", starting and ending with a letter or digit`);
  if (request.description.length > MAX_DESCRIPTION) problems.push(`description must be at most ${MAX_DESCRIPTION} characters, found ${request.description.length}`);
  return problems;
}
