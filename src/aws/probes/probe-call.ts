import * as z from 'zod';
import { AwsError } from '../errors.ts';
import { serviceErrorInfo, type ServiceErrorInfo } from '../sdk-errors.ts';

/**
 * A read-only call made to find out whether something is deployed failed for another reason than "it does not
 * exist": the identity may not call it, the endpoint (moto, LocalStack) may not implement it, the network failed.
 * `reason` is short enough for "could not check (<reason>)"; the SDK's error is the cause, so a caller can still
 * tell a credentials problem (explainAwsFailure reads the cause chain).
 */
export class AwsProbeError extends AwsError {
  readonly operation: string;
  readonly reason: string;
  constructor(operation: string, reason: string, cause?: unknown) {
    super(`${operation} failed: ${reason}`, { cause });
    this.operation = operation;
    this.reason = reason;
  }
}

/**
 * Sends one probe request: its answer, `undefined` when `isMissing` says the error means "does not exist", and an
 * AwsProbeError otherwise.
 */
export async function probeCall<T>(operation: string, send: () => Promise<T>, isMissing: (info: ServiceErrorInfo) => boolean = () => false): Promise<T | undefined> {
  try {
    return await send();
  } catch (error) {
    const info = serviceErrorInfo(error);
    if (info && isMissing(info)) return undefined;
    throw new AwsProbeError(operation, probeFailureReason(operation, error), error);
  }
}

/**
 * A short reason for a failed probe. An answer that is no AWS error at all (an HTML page with HTTP 500, which the
 * SDK reports as a SyntaxError) is what moto's server sends for an action it does not implement.
 */
export function probeFailureReason(operation: string, error: unknown): string {
  const info = serviceErrorInfo(error);
  if (!info) return error instanceof Error ? `${error.name}: ${firstLine(error.message)}` : String(error);
  const notAnAwsError = info.name === 'SyntaxError' || /Deserialization error/.test(info.message);
  if (notAnAwsError) return `the endpoint answered HTTP ${info.httpStatus ?? '?'} with no AWS error: it may not implement ${operation}`;
  return `${info.name}: ${firstLine(info.message)}`;
}

/** Checks the fields of an answer a probe reads; a missing or odd field is a probe failure, not a crash. */
export function probeAnswer<S extends z.ZodType>(operation: string, schema: S, answer: unknown): z.output<S> {
  const parsed = schema.safeParse(answer);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(answer)'}: ${i.message}`).join('; ');
  throw new AwsProbeError(operation, `unexpected answer (${problems})`);
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
