import { isUserError } from '../core/errors.ts';
import { CliError } from './errors.ts';
import { NO_CREDENTIALS } from './aws-session.ts';

const CREDENTIAL_ERRORS = new Set(['CredentialsProviderError', 'TokenProviderError']);
const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'TokenRefreshRequired']);
const REFUSED = new Set(['InvalidClientTokenId', 'UnrecognizedClientException', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AuthFailure', 'InvalidSignatureException']);
const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'AuthorizationError']);
const UNREACHABLE = new Set(['ENOTFOUND', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH']);

/**
 * The person-facing reading of an AWS failure that is about the caller's setup rather than about yolops:
 * missing, expired or refused credentials, a denied action, an endpoint that does not answer. These are the
 * caller's to fix, so they print as one line with exit 2. Adapters wrap SDK errors, so the whole cause chain is
 * read. Anything else is returned unchanged.
 */
export function explainAwsFailure(error: unknown): unknown {
  if (isUserError(error)) return error;
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 10; current = current.cause, depth++) {
    const name = current.name;
    const code = (current as { code?: unknown }).code;
    if (CREDENTIAL_ERRORS.has(name)) return new CliError(NO_CREDENTIALS, { cause: error });
    if (EXPIRED.has(name)) return new CliError(`your AWS credentials have expired (${name}): refresh them (\`aws sso login\`, or new keys) and try again`, { cause: error });
    if (REFUSED.has(name)) return new CliError(`AWS refused the credentials (${name}: ${current.message}): check AWS_PROFILE or the access keys in use`, { cause: error });
    if (DENIED.has(name)) {
      return new CliError(`AWS denied the request (${name}: ${firstLine(current.message)}): the identity in use lacks that permission; use the deploy role or a profile that has it`, { cause: error });
    }
    if (typeof code === 'string' && UNREACHABLE.has(code)) {
      const host = (current as { hostname?: unknown; address?: unknown }).hostname ?? (current as { address?: unknown }).address;
      return new CliError(`cannot reach AWS${typeof host === 'string' ? ` at ${host}` : ''} (${code}): check the network, AWS_REGION and AWS_ENDPOINT_URL`, { cause: error });
    }
  }
  return error;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
