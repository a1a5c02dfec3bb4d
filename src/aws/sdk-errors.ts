/**
 * Reads the service error an AWS SDK v3 client threw by its fields rather than its class, so the adapters
 * recognise errors of every SDK copy and of stubbed clients alike.
 */
export interface ServiceErrorInfo {
  /** The error code: `ValidationException`, `ResourceNotFound`, `NotFoundException`, ... */
  name: string;
  message: string;
  httpStatus?: number;
}

/** The code and message of an SDK service error; undefined for anything else (a bug, a network failure). */
export function serviceErrorInfo(error: unknown): ServiceErrorInfo | undefined {
  if (!(error instanceof Error) || !('$metadata' in error)) return undefined;
  const metadata = error.$metadata as { httpStatusCode?: unknown } | undefined;
  const status = metadata?.httpStatusCode;
  return { name: error.name, message: error.message, ...(typeof status === 'number' ? { httpStatus: status } : {}) };
}

/** Short description of any thrown value for an error message: `Code: message`. */
export function describeFailure(error: unknown): string {
  const info = serviceErrorInfo(error);
  if (info) return `${info.name}: ${info.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** The region an SDK client sends to (its config holds a provider once the client is built). */
export async function clientRegion(client: { config: { region?: unknown } }): Promise<string> {
  const region = client.config.region;
  const value: unknown = typeof region === 'function' ? await (region as () => Promise<unknown>)() : region;
  return typeof value === 'string' && value !== '' ? value : 'the configured region';
}
