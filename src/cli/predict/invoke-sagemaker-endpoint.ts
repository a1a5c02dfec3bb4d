import { InvokeEndpointCommand, ModelError, ModelNotReadyException, ValidationError, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { CliError } from '../errors.ts';
import { judgeInvocation, type InvocationResult } from './invocation-result.ts';

/**
 * Sends one image to a SageMaker endpoint through SageMaker Runtime's InvokeEndpoint. The container's own refusal
 * (a 4xx with its reason) comes back as a ModelError carrying its status and body, and is judged like an answer of
 * `yolops serve`; an endpoint that does not exist or is not ready is a CliError (exit 2), since every other image
 * would fail the same way. Options travel as CustomAttributes (`conf=0.4`): SageMaker forwards no query string.
 */
export async function invokeSageMakerEndpoint(client: SageMakerRuntimeClient, endpointName: string, image: Uint8Array, contentType: string, conf?: number): Promise<InvocationResult> {
  try {
    const answer = await client.send(
      new InvokeEndpointCommand({ EndpointName: endpointName, ContentType: contentType, Accept: 'application/json', Body: image, ...(conf === undefined ? {} : { CustomAttributes: `conf=${conf}` }) }),
    );
    return judgeInvocation(200, new TextDecoder().decode(answer.Body ?? new Uint8Array()));
  } catch (error) {
    if (error instanceof ModelError && error.OriginalStatusCode !== undefined) return judgeInvocation(error.OriginalStatusCode, error.OriginalMessage ?? '');
    if (error instanceof ModelNotReadyException) throw new CliError(`the endpoint ${endpointName} is not ready yet (${error.message}): try again in a minute`, { cause: error });
    if (error instanceof ValidationError && /not found/i.test(error.message)) {
      throw new CliError(`there is no endpoint ${endpointName}: \`yolops models stages --target aws\` shows what is deployed (approving a version deploys it to staging; \`yolops models promote <version> --target aws\` to production)`, { cause: error });
    }
    throw error;
  }
}
