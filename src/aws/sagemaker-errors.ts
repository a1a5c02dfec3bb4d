import type { ErrorAudience } from '../core/errors.ts';
import type { RegistryErrorCode } from '../core/registry/model-registry.ts';
import { AwsError } from './errors.ts';
import { describeFailure, serviceErrorInfo } from './sdk-errors.ts';

/** A SageMaker call failed; `operation` is the API action (StartPipelineExecution, ...). */
export class SageMakerError extends AwsError {
  readonly operation: string;
  constructor(operation: string, message: string, options: { cause?: unknown; audience?: ErrorAudience } = {}) {
    super(message, options);
    this.operation = operation;
  }
}

/** The pipeline is not deployed in this account and region. */
export class PipelineNotFoundError extends SageMakerError {
  readonly pipelineName: string;
  constructor(operation: string, pipelineName: string, region: string, cause?: unknown) {
    super(operation, `pipeline ${pipelineName} does not exist in ${region}: deploy it first with npx cdk deploy --all`, { cause, audience: 'user' });
    this.pipelineName = pipelineName;
  }
}

export class PipelineExecutionNotFoundError extends SageMakerError {
  readonly executionArn: string;
  constructor(operation: string, executionArn: string, region: string, cause?: unknown) {
    super(operation, `pipeline execution ${executionArn} does not exist in ${region}: check the ARN, and that the client's region is the execution's`, { cause, audience: 'user' });
    this.executionArn = executionArn;
  }
}

/** SageMaker refused the request as invalid (ValidationException), or it would: the message says what to change. */
export class SageMakerRequestError extends SageMakerError {
  constructor(operation: string, message: string, cause?: unknown) {
    super(operation, message, { cause, audience: 'user' });
  }
}

/** ResourceLimitExceeded: an account quota (for pipelines, the number of executions running at once) is used up. */
export class SageMakerLimitError extends SageMakerError {
  constructor(operation: string, message: string, cause?: unknown) {
    super(operation, message, { cause, audience: 'user' });
  }
}

export interface SageMakerCallContext {
  operation: string;
  region: string;
  pipelineName?: string;
  /** Set for calls about one execution: a missing pipeline then means a missing execution. */
  executionArn?: string;
}

// Real SageMaker answers ResourceNotFound for a missing pipeline or execution; moto answers a
// ValidationException "Could not find pipeline [execution] with ...". Both mean the same to a caller. Only that
// exact wording counts: other ValidationExceptions (a parameter the pipeline lacks, ...) are the request's fault.
const MOTO_NOT_FOUND = /^Could not find pipeline (execution )?with /;

/**
 * The error to throw for a failed SageMaker Pipelines call. Throttling never gets here as such: the SDK retries
 * it (standard retry mode), and what is left after the last attempt is reported like any other failure.
 */
export function pipelineCallError(error: unknown, context: SageMakerCallContext): Error {
  if (error instanceof SageMakerError) return error;
  const info = serviceErrorInfo(error);
  const { operation, region, pipelineName, executionArn } = context;
  if (!info) return new SageMakerError(operation, `SageMaker ${operation} failed: ${describeFailure(error)}`, { cause: error });
  const notFound = info.name === 'ResourceNotFound' || (info.name === 'ValidationException' && MOTO_NOT_FOUND.test(info.message));
  if (notFound && executionArn !== undefined) return new PipelineExecutionNotFoundError(operation, executionArn, region, error);
  if (notFound && pipelineName !== undefined) return new PipelineNotFoundError(operation, pipelineName, region, error);
  const subject = executionArn ?? (pipelineName === undefined ? '' : `pipeline ${pipelineName}`);
  const about = subject === '' ? '' : ` for ${subject}`;
  if (info.name === 'ValidationException') return new SageMakerRequestError(operation, `SageMaker refused ${operation}${about}: ${info.message}`, error);
  if (info.name === 'ResourceLimitExceeded') {
    return new SageMakerLimitError(
      operation,
      `SageMaker refused ${operation}${about}: too many pipeline executions are running at once in ${region} (${info.message}). ` +
        'Wait for running executions to finish or stop some, or ask for a higher quota in Service Quotas (Amazon SageMaker).',
      error,
    );
  }
  return new SageMakerError(operation, `SageMaker ${operation}${about} failed: ${info.name}: ${info.message}`, { cause: error });
}

/**
 * A model registry request that cannot be done, with the `code` the local registry's errors carry too, so the
 * CLI branches the same on both backends: NotFound, InvalidTransition and InvalidInput are user errors.
 */
export class ModelRegistryError extends SageMakerError {
  readonly code: RegistryErrorCode;
  constructor(code: RegistryErrorCode, operation: string, message: string, cause?: unknown) {
    super(operation, message, { cause, audience: code === 'Busy' ? 'internal' : 'user' });
    this.code = code;
  }
}

/** The error to throw for a failed Model Registry call: SageMaker's ValidationException is the caller's to fix. */
export function registryCallError(error: unknown, operation: string, subject: string): Error {
  if (error instanceof SageMakerError) return error;
  const info = serviceErrorInfo(error);
  if (info?.name === 'ValidationException') return new ModelRegistryError('InvalidInput', operation, `SageMaker refused ${operation} for ${subject}: ${info.message}`, error);
  return new SageMakerError(operation, `SageMaker ${operation} for ${subject} failed: ${describeFailure(error)}`, { cause: error });
}
