import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { ConfigError, parseConfig } from '../config/errors.ts';
import type { MetricDefinition } from './compiled-definition-types.ts';

// SageMaker's limits for AlgorithmSpecification.MetricDefinitions.
const MAX_DEFINITIONS = 40;
const MAX_NAME_LENGTH = 255;
const MAX_REGEX_LENGTH = 500;

/** Capture groups of a regex; SageMaker reports the first group's match as the metric value. */
function captureGroups(regex: RegExp): number {
  return (new RegExp(`${regex.source}|`).exec('')?.length ?? 1) - 1;
}

const metricDefinitionSchema = z
  .object({
    Name: z.string('must be the metric name as a string, e.g. "metrics/mAP50-95(B)"').min(1, 'must not be empty').max(MAX_NAME_LENGTH, `must be at most ${MAX_NAME_LENGTH} characters`),
    Regex: z
      .string('must be a regular expression as a string whose first group captures the value')
      .min(1, 'must not be empty')
      .max(MAX_REGEX_LENGTH, `must be at most ${MAX_REGEX_LENGTH} characters`)
      .superRefine((source, ctx) => {
        let regex: RegExp;
        try {
          regex = new RegExp(source);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: `is not a valid regular expression: ${(error as Error).message}` });
          return;
        }
        if (captureGroups(regex) === 0) ctx.addIssue({ code: 'custom', message: 'has no capture group; SageMaker takes the value from the first (...) group' });
      }),
  })
  .strict();

export const metricDefinitionsSchema = z
  .array(metricDefinitionSchema, 'must be an array of {"Name": ..., "Regex": ...} objects')
  .max(MAX_DEFINITIONS, `must have at most ${MAX_DEFINITIONS} entries (SageMaker's limit)`)
  .superRefine((definitions, ctx) => {
    const seen = new Map<string, number>();
    definitions.forEach((definition, index) => {
      const first = seen.get(definition.Name);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: [index, 'Name'], message: `repeats the name of entry ${first}; SageMaker needs unique metric names` });
      else seen.set(definition.Name, index);
    });
  });

/** Validates metric definitions (the array in training/metric_definitions.json). */
export function parseMetricDefinitions(input: unknown, file = 'training/metric_definitions.json'): MetricDefinition[] {
  return parseConfig(metricDefinitionsSchema, input, file);
}

/** Reads and validates the metric definitions train.py's log lines are written for. */
export function loadMetricDefinitions(path: string): MetricDefinition[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(path, [{ key: '', value: undefined, message: `cannot read it as JSON: ${(error as Error).message}` }], { cause: error });
  }
  return parseMetricDefinitions(raw, path);
}
