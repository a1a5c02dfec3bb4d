import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../src/core/config/errors.ts';
import { loadMetricDefinitions, parseMetricDefinitions } from '../../../../src/core/pipeline/index.ts';
import { FIXTURES, REPO } from './helpers.ts';

function keysOf(input: unknown): string[] {
  try {
    parseMetricDefinitions(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => p.key);
  }
  throw new Error('expected a ConfigError');
}

describe('metric definitions', () => {
  it('loads the fixture', () => {
    expect(loadMetricDefinitions(new URL('metric_definitions.json', FIXTURES).pathname)).toContainEqual({ Name: 'val:mAP50-95', Regex: 'yolops-metrics epoch=[0-9]+/[0-9]+ .*val/mAP50-95=([0-9.]+)' });
  });

  it('accepts training/metric_definitions.json once the training side has written it', () => {
    const file = new URL('training/metric_definitions.json', REPO).pathname;
    if (!existsSync(file)) return;
    const definitions = loadMetricDefinitions(file);
    expect(definitions.length).toBeGreaterThan(0);
    expect(definitions.map((d) => d.Name)).toContain('val:mAP50-95');
  });

  it('reports every bad entry with its key', () => {
    expect(keysOf([{ Name: '', Regex: 'x' }, { Name: 'a', Regex: '(' }, { Name: 'a', Regex: 'x=([0-9]+)', Extra: 1 }, { Name: 'b' }]).sort()).toEqual(['0.Name', '0.Regex', '1.Regex', '2.Extra', '3.Regex']);
    expect(() => parseMetricDefinitions([{ Name: 'a', Regex: '(1)' }, { Name: 'a', Regex: '(2)' }])).toThrow(/1\.Name: repeats the name of entry 0; SageMaker needs unique metric names/);
    expect(() => parseMetricDefinitions([{ Name: 'loss', Regex: 'loss=[0-9.]+' }])).toThrow(/0\.Regex: has no capture group; SageMaker takes the value from the first \(\.\.\.\) group/);
    expect(keysOf({ Name: 'a' })).toEqual(['']);
    expect(keysOf(Array.from({ length: 41 }, (_, i) => ({ Name: `m${i}`, Regex: '(1)' })))).toEqual(['']);
  });

  it('names the file when it is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'yolops-metrics-'));
    const file = join(dir, 'metric_definitions.json');
    writeFileSync(file, '[{');
    expect(() => loadMetricDefinitions(file)).toThrow(new RegExp(`${file}: 1 problem\\n {2}- \\(top level\\): cannot read it as JSON`));
  });
});
