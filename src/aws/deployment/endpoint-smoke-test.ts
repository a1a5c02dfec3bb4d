import { InvokeEndpointCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { judgeSmokeAnswer, type SmokeVerdict } from '../../core/deploy/smoke-check.ts';
import { smokeImage, SMOKE_IMAGE_CONTENT_TYPE } from '../../core/deploy/smoke-image.ts';
import { serviceErrorInfo } from '../sdk-errors.ts';
import { deploymentCallError } from './deployment-errors.ts';

/**
 * Sends the smoke image to the endpoint through SageMaker Runtime's InvokeEndpoint and judges the answer. An
 * answer that is not right (the container's error, a wrong shape) is a failed verdict with the reason; a call that
 * could not be made (throttling left after retries, no permission) is thrown.
 */
export async function smokeTestEndpoint(client: SageMakerRuntimeClient, endpointName: string): Promise<SmokeVerdict> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  try {
    const answer = await client.send(new InvokeEndpointCommand({ EndpointName: endpointName, ContentType: SMOKE_IMAGE_CONTENT_TYPE, Accept: 'application/json', Body: smokeImage() }));
    return judgeSmokeAnswer({ contentType: answer.ContentType, body: answer.Body ?? new Uint8Array(), latencyMs: elapsed() });
  } catch (error) {
    const info = serviceErrorInfo(error);
    // ModelError: the container answered, with an error status; ModelNotReadyException: serverless still starting.
    if (info?.name === 'ModelError' || info?.name === 'ModelNotReadyException' || info?.name === 'ValidationError') {
      const original = error as { OriginalStatusCode?: number; OriginalMessage?: string };
      const detail = original.OriginalMessage ? ` (${original.OriginalStatusCode ?? '?'}: ${original.OriginalMessage})` : '';
      return { ok: false, latencyMs: elapsed(), reason: `InvokeEndpoint on ${endpointName} failed: ${info.name}: ${info.message}${detail}` };
    }
    throw deploymentCallError(error, 'InvokeEndpoint', `endpoint ${endpointName}`);
  }
}
