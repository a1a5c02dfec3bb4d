import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { ConfigError, parseConfig } from './errors.ts';
import { SPLIT_RULES, splitRatiosProblem } from '../dataset/label-formats.ts';
import { HOSTING_INSTANCE_TYPES, PROCESSING_INSTANCE_TYPES, TRAINING_INSTANCE_TYPES } from './instance-types.ts';

const MAX_RUNTIME_LIMIT_SECONDS = 28 * 24 * 3600; // SageMaker's ceiling for MaxRuntimeInSeconds

const trainingInstanceType = z.enum(TRAINING_INSTANCE_TYPES, {
  error: 'must be a SageMaker training instance type such as "ml.g5.xlarge" or "ml.g6.2xlarge" (the "ml." prefix is part of it)',
});
const processingInstanceType = z.enum(PROCESSING_INSTANCE_TYPES, {
  error: 'must be a SageMaker processing instance type such as "ml.m5.xlarge" or "ml.g4dn.xlarge"',
});
const epochs = z.int('must be a whole number of epochs').min(1, 'must be at least 1').max(10_000, 'must be at most 10000');
const batchSize = z.union([z.int().min(1), z.literal('auto')], {
  error: 'must be a positive whole number or "auto" (chosen from the GPU memory and CPU count at run time)',
});
const imageSize = z
  .int('must be a whole number of pixels')
  .min(32, 'must be at least 32')
  .max(2048, 'must be at most 2048')
  .refine((n) => n % 32 === 0, 'must be a multiple of 32 (YOLO strides)');
const model = z
  .string()
  .regex(/^[\w./-]+\.(pt|yaml)$/, 'must name YOLO weights (e.g. "yolo11n.pt") or a model YAML to train from scratch (e.g. "yolo11n.yaml")');
const qualityThreshold = z.number('must be a number').min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');
const patience = z.int('must be a whole number of epochs').min(0, 'must be 0 (off) or more');
const seed = z.int('must be a whole number').min(0);

const hostingInstanceType = z.enum(HOSTING_INSTANCE_TYPES, {
  error: 'must be a SageMaker hosting instance type such as "ml.m5.large" or "ml.g5.xlarge" (the "ml." prefix is part of it)',
});

/** Which weights the inference server runs: measured at start-up on the hardware it runs on (`auto`), or forced. */
export const INFERENCE_RUNTIMES = ['auto', 'torch', 'onnx'] as const;

/**
 * How registered versions are served: the staging endpoint (serverless: CPU, scales to zero) and the production
 * endpoint (real-time instances with autoscaling, blue/green updates guarded by alarms, data capture).
 */
const servingSchema = z
  .object({
    /** The server's runtime (YOLOPS_INFERENCE_RUNTIME): `auto` times both at start-up and keeps the faster. */
    runtime: z.enum(INFERENCE_RUNTIMES, { error: 'must be "auto", "torch" or "onnx"' }).default('auto'),
    /** Production's instance type; it must be one of realtime_instance_types. */
    instance_type: hostingInstanceType.default('ml.m5.large'),
    /** Registered with every version (SupportedRealtimeInferenceInstanceTypes): where it may be deployed. */
    realtime_instance_types: z.array(hostingInstanceType).min(1).default(['ml.m5.large', 'ml.m5.xlarge', 'ml.c5.xlarge', 'ml.g4dn.xlarge', 'ml.g5.xlarge']),
    /** Production autoscaling bounds (instances) and its target-tracking goal (SageMakerVariantInvocationsPerInstance, per minute). */
    min_instances: z.int().min(1).max(100).default(1),
    max_instances: z.int().min(1).max(100).default(4),
    target_invocations_per_instance: z.int().min(1).max(100_000).default(300),
    /** Staging's serverless memory (MB: 1024-6144 in steps of 1024) and concurrency. */
    staging_memory_mb: z.union([1024, 2048, 3072, 4096, 5120, 6144].map((n) => z.literal(n)), { error: 'must be 1024, 2048, 3072, 4096, 5120 or 6144 (serverless inference memory sizes)' }).default(6144),
    staging_max_concurrency: z.int().min(1).max(200).default(5),
    /** Share of production requests (and responses) captured to S3 for monitoring, in percent. */
    data_capture_percent: z.int().min(0).max(100).default(20),
    /** Blue/green: share of capacity that takes traffic first (canary), and how long it is watched before the rest moves. */
    canary_percent: z.int().min(1).max(50).default(10),
    canary_wait_seconds: z.int().min(0).max(3600).default(600),
    /** Rollback alarms: the model's p99 latency (ms) and the 5xx count per minute above which a deployment rolls back. */
    latency_alarm_ms: z.int().min(1).default(2000),
    errors_alarm_count: z.int().min(1).default(5),
  })
  .strict()
  .superRefine((serving, ctx) => {
    if (!serving.realtime_instance_types.includes(serving.instance_type)) {
      ctx.addIssue({ code: 'custom', path: ['instance_type'], message: `must be one of realtime_instance_types (${serving.realtime_instance_types.join(', ')}): a version is deployable only where it is registered to run` });
    }
    if (serving.min_instances > serving.max_instances) {
      ctx.addIssue({ code: 'custom', path: ['min_instances'], message: `must be at most max_instances (${serving.max_instances})` });
    }
  });
export type ServingConfig = z.output<typeof servingSchema>;

/** What the local backend may change for a CPU run (the demo trains in about a minute). */
const localOverridesSchema = z
  .object({
    epochs: epochs.optional(),
    batch_size: batchSize.optional(),
    image_size: imageSize.optional(),
    model: model.optional(),
    quality_threshold: qualityThreshold.optional(),
    patience: patience.optional(),
  })
  .strict();

export const trainingConfigSchema = z
  .object({
    instance_type: trainingInstanceType.default('ml.g5.xlarge'),
    evaluation_instance_type: processingInstanceType.default('ml.m5.xlarge'),
    /** The Preprocess step's processing instance (CPU): converts a labelled export, splits it and validates it. */
    preprocessing_instance_type: processingInstanceType.default('ml.m5.xlarge'),
    /** How the Preprocess step splits a labelled export (train, val[, test]); a split YOLO dataset keeps its own split. */
    split_ratios: z
      .array(z.number('must be a number').positive('must be more than 0'), 'must be a list of 2 or 3 numbers, e.g. [0.8, 0.2] (train, val) or [0.7, 0.2, 0.1] (train, val, test)')
      .refine((ratios) => splitRatiosProblem(ratios.join(',')) === undefined, { error: (issue) => `${splitRatiosProblem((issue.input as number[]).join(','))}` })
      .default([...SPLIT_RULES.defaultRatios]),
    /** The split's seed: the same export, ratios and seed give the same split, image for image. */
    split_seed: seed.default(0),
    epochs: epochs.default(100),
    batch_size: batchSize.default('auto'),
    image_size: imageSize.default(640),
    model: model.default('yolo11n.pt'),
    patience: patience.default(50),
    seed: seed.default(0),
    /** The evaluation's mAP50-95 must reach this for the model to be registered. */
    quality_threshold: qualityThreshold.default(0.5),
    /** The default of the UseSpotInstances parameter; every execution may choose either. */
    use_spot_instances: z.boolean('must be true or false').default(true),
    max_runtime_seconds: z.int().min(600, 'must be at least 600').max(MAX_RUNTIME_LIMIT_SECONDS, `must be at most ${MAX_RUNTIME_LIMIT_SECONDS} (28 days)`).default(86_400),
    /** Spot executions: how long SageMaker may wait for capacity plus run; must be >= max_runtime_seconds. */
    max_wait_seconds: z.int().min(600).max(MAX_RUNTIME_LIMIT_SECONDS, `must be at most ${MAX_RUNTIME_LIMIT_SECONDS} (28 days)`).default(172_800),
    volume_size_gb: z.int().min(1).max(16_384).default(50),
    /** Tag of AWS's PyTorch training container image (script mode). */
    pytorch_image_tag: z.string().min(1).default('2.6.0-gpu-py312-cu126-ubuntu22.04-sagemaker'),
    /** Tag of the PyTorch image the evaluation processing job runs in. */
    evaluation_image_tag: z.string().min(1).default('2.6.0-cpu-py312-ubuntu22.04-sagemaker'),
    /** An image built from training/Dockerfile (ECR URI); replaces the PyTorch image when set. */
    custom_image_uri: z
      .string()
      .regex(/^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/[\w./-]+(:[\w.-]+|@sha256:[0-9a-f]{64})$/, 'must be an ECR image URI, e.g. "123456789012.dkr.ecr.us-east-1.amazonaws.com/yolops-training:1.0"')
      .optional(),
    mlflow_experiment_name: z.string().min(1).max(256).default('yolo-training'),
    serving: servingSchema.default(() => servingSchema.parse({})),
    local_overrides: localOverridesSchema.default({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    // Also with use_spot_instances false: that is only the default, and any execution may train on spot.
    if (config.max_wait_seconds < config.max_runtime_seconds) {
      ctx.addIssue({ code: 'custom', path: ['max_wait_seconds'], message: `must be at least max_runtime_seconds (${config.max_runtime_seconds}): spot executions (UseSpotInstances, any execution may choose it) wait for capacity plus run within it` });
    }
  });

export type TrainingConfig = z.output<typeof trainingConfigSchema>;
export type TrainingConfigInput = z.input<typeof trainingConfigSchema>;

export function parseTrainingConfig(input: unknown, file = 'training-config.json'): TrainingConfig {
  return parseConfig(trainingConfigSchema, input, file);
}

export function loadTrainingConfig(path: string): TrainingConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(path, [{ key: '', value: undefined, message: `cannot read it as JSON: ${(error as Error).message}` }], { cause: error });
  }
  return parseTrainingConfig(raw, path);
}

/** The config a local (CPU) run uses: the file's values with `local_overrides` applied. */
export function localTrainingConfig(config: TrainingConfig): TrainingConfig {
  return { ...config, ...config.local_overrides };
}
