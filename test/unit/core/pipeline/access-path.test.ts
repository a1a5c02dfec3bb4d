import { describe, expect, it } from 'vitest';
import { formatSegments, lookupPath, parseSegments } from '../../../../src/core/pipeline/analysis/access-path.ts';

describe('parseSegments', () => {
  it('reads names, indexes and quoted keys', () => {
    expect(parseSegments(".ProcessingOutputConfig.Outputs['evaluation'].S3Output.S3Uri", false)).toEqual([
      { kind: 'name', name: 'ProcessingOutputConfig' },
      { kind: 'name', name: 'Outputs' },
      { kind: 'key', key: 'evaluation' },
      { kind: 'name', name: 'S3Output' },
      { kind: 'name', name: 'S3Uri' },
    ]);
    expect(parseSegments('metrics.mAP50_95', true)).toEqual([{ kind: 'name', name: 'metrics' }, { kind: 'name', name: 'mAP50_95' }]);
    expect(parseSegments('list[2]["a-b"]', true)).toEqual([{ kind: 'name', name: 'list' }, { kind: 'index', index: 2 }, { kind: 'key', key: 'a-b' }]);
    expect(parseSegments('', true)).toEqual([]);
  });

  it('refuses what SageMaker would not read as a plain path, with the position', () => {
    expect(parseSegments('metrics.mAP50-95', true)).toMatch(/expected "\." or "\[" at character 13 of "metrics.mAP50-95", found "-".*\['key-with-dash'\]/);
    expect(parseSegments('a[*]', true)).toMatch(/unsupported index \[\*\]/);
    expect(parseSegments('a[0', true)).toMatch(/unclosed "\["/);
    expect(parseSegments('Name', false)).toMatch(/expected "\." or "\["/);
    expect(parseSegments('a..b', true)).toMatch(/unsupported syntax/);
  });

  it('formats back', () => {
    const segments = parseSegments("a.b[0]['c d']", true);
    expect(typeof segments).not.toBe('string');
    expect(formatSegments(segments as Exclude<typeof segments, string>)).toBe("a.b[0]['c d']");
  });
});

describe('lookupPath', () => {
  const value = {
    Outputs: [{ OutputName: 'evaluation', S3Output: { S3Uri: 's3://b/e/' } }],
    FinalMetricDataList: [{ MetricName: 'val:mAP50', Value: 0.5 }],
    HyperParameters: { epochs: '3' },
    list: [10, 20],
  };

  it('indexes lists of named things by their name field', () => {
    expect(lookupPath(value, [{ kind: 'name', name: 'Outputs' }, { kind: 'key', key: 'evaluation' }, { kind: 'name', name: 'S3Output' }, { kind: 'name', name: 'S3Uri' }])).toEqual({ found: true, value: 's3://b/e/' });
    expect(lookupPath(value, [{ kind: 'name', name: 'FinalMetricDataList' }, { kind: 'key', key: 'val:mAP50' }, { kind: 'name', name: 'Value' }])).toEqual({ found: true, value: 0.5 });
    expect(lookupPath(value, [{ kind: 'name', name: 'HyperParameters' }, { kind: 'key', key: 'epochs' }])).toEqual({ found: true, value: '3' });
    expect(lookupPath(value, [{ kind: 'name', name: 'list' }, { kind: 'index', index: 1 }])).toEqual({ found: true, value: 20 });
  });

  it('says where the path ran out and what was there', () => {
    const missing = lookupPath(value, [{ kind: 'name', name: 'Outputs' }, { kind: 'key', key: 'other' }]);
    expect(missing).toEqual({ found: false, message: expect.stringMatching(/nothing at Outputs\['other'\] \(the value before it is a list of 1\)/) });
    const noKey = lookupPath(value, [{ kind: 'name', name: 'Nope' }]);
    expect(noKey.found).toBe(false);
    expect(!noKey.found && noKey.message).toMatch(/keys \["Outputs","FinalMetricDataList","HyperParameters","list"\]/);
    expect(lookupPath(value, [{ kind: 'name', name: 'list' }, { kind: 'index', index: 5 }]).found).toBe(false);
    expect(lookupPath('text', [{ kind: 'name', name: 'length' }]).found).toBe(false);
  });

  it('does not read inherited properties', () => {
    expect(lookupPath({}, [{ kind: 'name', name: 'constructor' }]).found).toBe(false);
  });
});
