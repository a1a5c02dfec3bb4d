import { readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import { parseCdkContext, type CdkContext } from '../../../../src/core/config/cdk-context.ts';
import { parseTrainingConfig, type TrainingConfigInput } from '../../../../src/core/config/training-config.ts';
import type { TrainingPipelineOptions } from '../../../../src/core/pipeline/index.ts';
import { loadMetricDefinitions } from '../../../../src/core/pipeline/metric-definitions.ts';

export const FIXTURES = new URL('../../../fixtures/pipeline/', import.meta.url);
export const REPO = new URL('../../../../', import.meta.url);

/** The metric definitions the fixtures are compiled with (ours, so the fixtures do not move with training/). */
export const FIXTURE_METRICS = loadMetricDefinitions(new URL('metric_definitions.json', FIXTURES).pathname);

export function context(overrides: Partial<CdkContext> = {}): CdkContext {
  return parseCdkContext({ aws_account_id: '123456789012', aws_region: 'ap-southeast-2', project_name: 'yolops', environment: 'dev', ...overrides });
}

export function options(training: TrainingConfigInput = {}, rest: Partial<TrainingPipelineOptions> = {}): TrainingPipelineOptions {
  return { context: context(), training: parseTrainingConfig(training), metricDefinitions: FIXTURE_METRICS, ...rest };
}

/**
 * Compares `json` with the fixture file, byte for byte. `UPDATE_FIXTURES=1` rewrites the file instead; review the
 * diff before committing it, the fixtures are the reviewed statement of what SageMaker gets.
 */
export function expectFixture(name: string, json: string): void {
  const file = new URL(name, FIXTURES);
  if (process.env.UPDATE_FIXTURES === '1') writeFileSync(file, `${json}\n`);
  const expected = readFileSync(file, 'utf8').replace(/\n$/, '');
  expect(JSON.parse(json)).toEqual(JSON.parse(expected)); // readable diff of values first
  expect(json).toBe(expected); // then key order and formatting
}
