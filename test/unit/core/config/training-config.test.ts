import { readFileSync } from 'node:fs';
import { ProcessingInstanceType, ProductionVariantInstanceType, TrainingInstanceType } from '@aws-sdk/client-sagemaker';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../src/core/config/errors.ts';
import { HOSTING_INSTANCE_TYPES, PROCESSING_INSTANCE_TYPES, TRAINING_INSTANCE_TYPES } from '../../../../src/core/config/instance-types.ts';
import { localTrainingConfig, parseTrainingConfig } from '../../../../src/core/config/training-config.ts';

function keysOf(input: unknown): string[] {
  try {
    parseTrainingConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => p.key);
  }
  throw new Error('expected a ConfigError');
}

describe('training-config.json', () => {
  it('the committed file is valid', () => {
    const config = parseTrainingConfig(JSON.parse(readFileSync(new URL('../../../../training-config.json', import.meta.url), 'utf8')));
    expect(config.instance_type).toMatch(/^ml\./);
  });

  it('fills defaults for an empty file', () => {
    const config = parseTrainingConfig({});
    expect(config).toMatchObject({ instance_type: 'ml.g5.xlarge', epochs: 100, batch_size: 'auto', image_size: 640, use_spot_instances: true });
  });

  it('rejects an instance type that is not a SageMaker one, naming the key', () => {
    expect(keysOf({ instance_type: 'g5.xlarge' })).toEqual(['instance_type']);
    expect(() => parseTrainingConfig({ instance_type: 'ml.foo.bar' })).toThrow(/instance_type: must be a SageMaker training instance type.*\(got "ml\.foo\.bar"\)/);
    expect(keysOf({ evaluation_instance_type: 'ml.g5.huge' })).toEqual(['evaluation_instance_type']);
  });

  it('reports every bad value at once', () => {
    expect(keysOf({ epochs: 0, batch_size: -5, image_size: 100, model: 'resnet', quality_threshold: 2, local_overrides: { epochs: 'x' } }).sort()).toEqual(
      ['batch_size', 'epochs', 'image_size', 'local_overrides.epochs', 'model', 'quality_threshold'],
    );
  });

  it('requires the spot wait to cover the runtime, also when spot is off by default (an execution may still choose it)', () => {
    expect(keysOf({ max_runtime_seconds: 7200, max_wait_seconds: 3600 })).toEqual(['max_wait_seconds']);
    expect(keysOf({ max_runtime_seconds: 7200, max_wait_seconds: 3600, use_spot_instances: false })).toEqual(['max_wait_seconds']);
    expect(() => parseTrainingConfig({ max_runtime_seconds: 7200, max_wait_seconds: 7200, use_spot_instances: false })).not.toThrow();
  });

  it('applies local overrides for CPU runs only', () => {
    const config = parseTrainingConfig({ epochs: 100, local_overrides: { epochs: 5, model: 'yolo11n.yaml' } });
    expect(config.epochs).toBe(100);
    expect(localTrainingConfig(config)).toMatchObject({ epochs: 5, model: 'yolo11n.yaml' });
  });

  it('keeps the instance type lists equal to the AWS SDK enums (regenerate with scripts/gen-instance-types.ts)', () => {
    expect([...TRAINING_INSTANCE_TYPES].sort()).toEqual(Object.values(TrainingInstanceType).sort());
    expect([...PROCESSING_INSTANCE_TYPES].sort()).toEqual(Object.values(ProcessingInstanceType).sort());
    expect([...HOSTING_INSTANCE_TYPES].sort()).toEqual(Object.values(ProductionVariantInstanceType).sort());
  });

  it('gives serving its defaults and refuses a production instance type the versions are not registered for', () => {
    expect(parseTrainingConfig({}).serving).toMatchObject({ runtime: 'auto', instance_type: 'ml.m5.large', staging_memory_mb: 6144, min_instances: 1, max_instances: 4 });
    expect(() => parseTrainingConfig({ serving: { instance_type: 'ml.c5.2xlarge', realtime_instance_types: ['ml.m5.large'] } })).toThrow(/serving\.instance_type: must be one of realtime_instance_types \(ml\.m5\.large\)/);
    expect(() => parseTrainingConfig({ serving: { min_instances: 5, max_instances: 2 } })).toThrow(/serving\.min_instances: must be at most max_instances \(2\)/);
    expect(() => parseTrainingConfig({ serving: { staging_memory_mb: 100 } })).toThrow(/serving\.staging_memory_mb: must be 1024, 2048/);
  });
});
