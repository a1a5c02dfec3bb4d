import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import * as z from 'zod';
import { probeAnswer, probeCall } from './probe-call.ts';

export interface CallerIdentity {
  account: string;
  arn: string;
}

const answerSchema = z.object({ Account: z.string().regex(/^\d{12}$/), Arn: z.string().min(1) });

/** Whose credentials these are (STS GetCallerIdentity, which needs no permission). */
export async function callerIdentity(sts: STSClient): Promise<CallerIdentity> {
  const answer = probeAnswer('GetCallerIdentity', answerSchema, await probeCall('GetCallerIdentity', () => sts.send(new GetCallerIdentityCommand({}))));
  return { account: answer.Account, arn: answer.Arn };
}
