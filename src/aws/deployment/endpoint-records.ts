import * as z from 'zod';
import { endpointStatusOf, type EndpointStatus } from '../../core/deploy/stage-state.ts';
import { UnexpectedSageMakerAnswerError } from '../pipeline-execution-records.ts';

/**
 * SageMaker's answers about endpoints, checked before use: DescribeEndpoint, DescribeEndpointConfig, DescribeModel,
 * ListTags, ListModels, ListEndpointConfigs. Only the fields the deployer reads; null (moto sends some) and absent
 * mean the same.
 */
const optionalText = z.string().nullish().transform((value) => (value ? value : undefined));
const optionalNumber = z.number().nullish().transform((value) => value ?? undefined);
const optionalDate = z.date().nullish().transform((value) => value ?? undefined);

const describedEndpointSchema = z.object({
  EndpointName: z.string().min(1),
  EndpointConfigName: z.string().min(1),
  EndpointStatus: z.string().min(1),
  FailureReason: optionalText,
  LastModifiedTime: optionalDate,
  ProductionVariants: z
    .array(z.object({ VariantName: z.string(), CurrentInstanceCount: optionalNumber, DesiredInstanceCount: optionalNumber }))
    .nullish()
    .transform((v) => v ?? []),
  PendingDeploymentSummary: z.object({ EndpointConfigName: z.string().min(1) }).nullish(),
});
export type DescribedEndpoint = Omit<z.output<typeof describedEndpointSchema>, 'EndpointStatus'> & { EndpointStatus: EndpointStatus | undefined };

const describedConfigSchema = z.object({
  EndpointConfigName: z.string().min(1),
  CreationTime: optionalDate,
  ProductionVariants: z
    .array(
      z.object({
        VariantName: z.string(),
        ModelName: optionalText,
        InstanceType: optionalText,
        InitialInstanceCount: optionalNumber,
        ServerlessConfig: z.object({ MemorySizeInMB: z.number(), MaxConcurrency: z.number() }).nullish(),
      }),
    )
    .min(1),
  DataCaptureConfig: z.object({ EnableCapture: z.boolean().nullish(), InitialSamplingPercentage: optionalNumber }).nullish(),
});
export type DescribedEndpointConfig = z.output<typeof describedConfigSchema>;

const describedModelSchema = z.object({ ModelName: z.string().min(1), ModelArn: z.string().min(1) });
const tagsSchema = z.object({ Tags: z.array(z.object({ Key: z.string(), Value: z.string() })).nullish(), NextToken: optionalText });

const namedSummarySchema = z.object({ name: z.string().min(1), createdAt: optionalDate });
export type NamedSummary = z.output<typeof namedSummarySchema>;

function checked<S extends z.ZodType>(schema: S, value: unknown, operation: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new UnexpectedSageMakerAnswerError(operation, result.error.issues.map((i) => `${i.path.join('.') || '(answer)'}: ${i.message}`).join('; '));
  return result.data;
}

export function describedEndpoint(answer: unknown): DescribedEndpoint {
  const parsed = checked(describedEndpointSchema, answer, 'DescribeEndpoint');
  return { ...parsed, EndpointStatus: endpointStatusOf(parsed.EndpointStatus) };
}

export function describedEndpointConfig(answer: unknown): DescribedEndpointConfig {
  return checked(describedConfigSchema, answer, 'DescribeEndpointConfig');
}

export function describedModel(answer: unknown): z.output<typeof describedModelSchema> {
  return checked(describedModelSchema, answer, 'DescribeModel');
}

export function listedTags(answer: unknown): z.output<typeof tagsSchema> {
  return checked(tagsSchema, answer, 'ListTags');
}

export function modelSummary(summary: unknown): NamedSummary {
  const s = checked(z.object({ ModelName: z.string().min(1), CreationTime: optionalDate }), summary, 'ListModels');
  return namedSummarySchema.parse({ name: s.ModelName, createdAt: s.CreationTime });
}

export function endpointConfigSummary(summary: unknown): NamedSummary {
  const s = checked(z.object({ EndpointConfigName: z.string().min(1), CreationTime: optionalDate }), summary, 'ListEndpointConfigs');
  return namedSummarySchema.parse({ name: s.EndpointConfigName, createdAt: s.CreationTime });
}
