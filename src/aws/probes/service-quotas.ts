import { ListAWSDefaultServiceQuotasCommand, ListServiceQuotasCommand, type ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import * as z from 'zod';
import { probeAnswer, probeCall } from './probe-call.ts';

/** One quota as Service Quotas lists it. */
export interface QuotaValue {
  name: string;
  code: string;
  value: number;
  /** `applied` from ListServiceQuotas; `default` from ListAWSDefaultServiceQuotas (never changed for the account). */
  source: 'applied' | 'default';
}

/**
 * The names SageMaker gives the per-instance-type training quotas in Service Quotas (service code `sagemaker`):
 * how many instances of the type training jobs may use at once, on demand and on spot capacity.
 */
export function trainingQuotaNames(instanceType: string): { onDemand: string; spot: string } {
  return { onDemand: `${instanceType} for training job usage`, spot: `${instanceType} for spot training job usage` };
}

const pageSchema = z.object({
  Quotas: z.array(z.object({ QuotaName: z.string().optional(), QuotaCode: z.string().optional(), Value: z.number().optional() })).nullish(),
  NextToken: z.string().nullish(),
});
type Page = z.output<typeof pageSchema>;

const PAGE_SIZE = 100;

/**
 * The quotas of `serviceCode` with these names, found by name because quota codes (L-...) differ per quota and
 * are not derivable: the account's applied values (ListServiceQuotas), and AWS's defaults for the names it does not
 * list (ListServiceQuotas leaves out quotas whose applied value is not available). Names found nowhere are absent
 * from the map. Paging stops as soon as every name is found.
 */
export async function findQuotasByName(client: ServiceQuotasClient, serviceCode: string, names: readonly string[]): Promise<Map<string, QuotaValue>> {
  const found = new Map<string, QuotaValue>();
  const wanted = new Set(names);
  const collect = async (operation: string, source: QuotaValue['source'], request: (token: string | undefined) => Promise<unknown>): Promise<void> => {
    let token: string | undefined;
    do {
      const page: Page = probeAnswer(operation, pageSchema, await probeCall(operation, () => request(token)));
      for (const q of page.Quotas ?? []) {
        if (q.QuotaName === undefined || q.QuotaCode === undefined || q.Value === undefined) continue;
        if (wanted.has(q.QuotaName) && !found.has(q.QuotaName)) found.set(q.QuotaName, { name: q.QuotaName, code: q.QuotaCode, value: q.Value, source });
      }
      token = page.NextToken || undefined;
    } while (token !== undefined && found.size < wanted.size);
  };
  await collect('ListServiceQuotas', 'applied', (token) => client.send(new ListServiceQuotasCommand({ ServiceCode: serviceCode, MaxResults: PAGE_SIZE, ...(token ? { NextToken: token } : {}) })));
  if (found.size < wanted.size) {
    await collect('ListAWSDefaultServiceQuotas', 'default', (token) => client.send(new ListAWSDefaultServiceQuotasCommand({ ServiceCode: serviceCode, MaxResults: PAGE_SIZE, ...(token ? { NextToken: token } : {}) })));
  }
  return found;
}

/** The console page where an increase of the quota is requested. */
export function quotaIncreaseUrl(region: string, serviceCode: string, quotaCode: string): string {
  return `https://${region}.console.aws.amazon.com/servicequotas/home/services/${serviceCode}/quotas/${quotaCode}`;
}
