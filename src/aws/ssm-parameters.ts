import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { AwsError } from './errors.ts';
import { describeFailure, serviceErrorInfo } from './sdk-errors.ts';

/** An SSM Parameter Store request failed for another reason than a missing parameter. */
export class SsmParameterError extends AwsError {
  readonly parameterName: string;
  constructor(parameterName: string, message: string, cause?: unknown) {
    super(message, { cause });
    this.parameterName = parameterName;
  }
}

/**
 * The value of one SSM parameter (GetParameter, decrypted), or undefined when it does not exist. The stacks
 * publish values known only at deploy time there (the MLflow App's ARN), so a caller can say which stack to
 * deploy when one is missing.
 */
export async function readSsmParameter(client: SSMClient, name: string): Promise<string | undefined> {
  try {
    const answer = await client.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    return answer.Parameter?.Value ?? undefined;
  } catch (error) {
    if (serviceErrorInfo(error)?.name === 'ParameterNotFound') return undefined;
    throw new SsmParameterError(name, `SSM GetParameter ${name} failed: ${describeFailure(error)}`, error);
  }
}
