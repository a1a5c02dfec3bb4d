import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import * as z from 'zod';
import { probeAnswer, probeCall } from './probe-call.ts';

const parameterSchema = z.object({ Parameter: z.object({ Value: z.string() }) });

/** The value of an SSM parameter; undefined when it does not exist. */
export async function ssmParameterValue(ssm: SSMClient, name: string): Promise<string | undefined> {
  const answer = await probeCall('GetParameter', () => ssm.send(new GetParameterCommand({ Name: name })), (info) => info.name === 'ParameterNotFound');
  return answer === undefined ? undefined : probeAnswer('GetParameter', parameterSchema, answer).Parameter.Value;
}
