import { SageMakerError, SageMakerLimitError, SageMakerRequestError } from '../sagemaker-errors.ts';
import { describeFailure, serviceErrorInfo } from '../sdk-errors.ts';

/**
 * The stage's endpoint is being created, updated or rolled back: a new deployment cannot start until it settles.
 * A user error for the CLI (wait and run it again); the deployer Lambda throws it so that its retry comes later.
 */
export class EndpointBusyError extends SageMakerError {
  readonly endpointName: string;
  readonly status: string;
  constructor(endpointName: string, status: string, detail: string) {
    super('UpdateEndpoint', `the endpoint ${endpointName} is ${status}${detail}: a deployment starts only once it is InService or Failed; wait and try again`, { audience: 'user' });
    this.endpointName = endpointName;
    this.status = status;
  }
}

// SageMaker answers a ValidationException "Could not find endpoint ...", "Could not find model ...", "Could not
// find endpoint configuration ..." for something that does not exist; moto says the same.
const NOT_FOUND = /^Could not find (endpoint|model|endpoint configuration)\b/i;
const ALREADY_EXISTS = /already exist/i;

export function isNotFound(error: unknown): boolean {
  const info = serviceErrorInfo(error);
  return info !== undefined && (info.name === 'ResourceNotFound' || (info.name === 'ValidationException' && NOT_FOUND.test(info.message)));
}

export function isAlreadyExists(error: unknown): boolean {
  const info = serviceErrorInfo(error);
  return info !== undefined && info.name === 'ValidationException' && ALREADY_EXISTS.test(info.message);
}

/** The error to throw for a failed SageMaker or Application Auto Scaling call of a deployment. */
export function deploymentCallError(error: unknown, operation: string, subject: string): Error {
  if (error instanceof SageMakerError) return error;
  const info = serviceErrorInfo(error);
  if (!info) return new SageMakerError(operation, `${operation} for ${subject} failed: ${describeFailure(error)}`, { cause: error });
  if (info.name === 'ValidationException') return new SageMakerRequestError(operation, `SageMaker refused ${operation} for ${subject}: ${info.message}`, error);
  if (info.name === 'ResourceLimitExceeded' || info.name === 'LimitExceededException') {
    return new SageMakerLimitError(operation, `${operation} for ${subject} hit an account quota (${info.message}): ask for more in Service Quotas (Amazon SageMaker), or free some`, error);
  }
  return new SageMakerError(operation, `${operation} for ${subject} failed: ${info.name}: ${info.message}`, { cause: error });
}
