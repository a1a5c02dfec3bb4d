import { CliError } from '../errors.ts';
import { judgeInvocation, type InvocationResult } from './invocation-result.ts';

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:8080/invocations';
export const ENDPOINT_ENV = 'YOLOPS_ENDPOINT';
/** A CPU server answers a small image in well under a second; a minute covers a large one on a busy machine. */
const REQUEST_TIMEOUT_MS = 60_000;

/** The endpoint to send to: `--endpoint`, else YOLOPS_ENDPOINT, else the port `yolops serve --port 8080` uses. */
export function resolveEndpoint(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): URL {
  const raw = flag ?? (env[ENDPOINT_ENV] || DEFAULT_ENDPOINT);
  const source = flag !== undefined ? '--endpoint' : env[ENDPOINT_ENV] ? ENDPOINT_ENV : 'the default endpoint';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(`${source} ${JSON.stringify(raw)} is not a URL: give one like ${DEFAULT_ENDPOINT}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`${source} ${raw} must be an http:// or https:// URL`);
  return url;
}

/**
 * POSTs one image. A server that answers (any status) is a result; one that does not answer at all is a CliError
 * (exit 2): nothing is listening there, so every other image would fail the same way.
 */
export async function invokeEndpoint(endpoint: URL, image: Uint8Array, contentType: string, conf?: number): Promise<InvocationResult> {
  const url = new URL(endpoint);
  if (conf !== undefined) url.searchParams.set('conf', String(conf));
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body: image, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (error) {
    const why = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${REQUEST_TIMEOUT_MS / 1000} s` : describeFetchFailure(error);
    throw new CliError(`the endpoint ${endpoint.href} does not answer (${why}): start one with \`yolops serve\`, or name another with --endpoint or ${ENDPOINT_ENV}`, { cause: error });
  }
  return judgeInvocation(response.status, await response.text());
}

function describeFetchFailure(error: unknown): string {
  // Node's fetch throws "fetch failed" with the socket error (ECONNREFUSED, ENOTFOUND, ...) as its cause.
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) return 'code' in cause && typeof cause.code === 'string' ? cause.code : cause.message;
  return error instanceof Error ? error.message : String(error);
}
