import { describe, expect, it } from 'vitest';
import { datasetStatsSchema, parseDatasetStats, type DatasetStats, type SplitStats } from '../../../../src/core/dataset/dataset-stats.ts';

/** One split of a report as yolops_dataprep/stats.py writes it: `images` images of 64x48, one box each of class 0. */
function split(images: number, backgrounds: number): SplitStats {
  const boxes = images - backgrounds;
  return {
    images,
    backgroundImages: backgrounds,
    boxes,
    skippedLabelLines: 0,
    classes: [
      { id: 0, name: 'cat', images: boxes, boxes },
      { id: 1, name: 'dog', images: 0, boxes: 0 },
    ],
    boxesPerImage: {
      mean: images ? boxes / images : null,
      median: images ? 1 : null,
      max: images ? 1 : null,
      histogram: [...(backgrounds ? [{ boxes: 0, images: backgrounds }] : []), ...(boxes ? [{ boxes: 1, images: boxes }] : [])],
    },
    boxSizes: {
      width: { quantiles: boxes ? { p0: 0.25, p5: 0.25, p25: 0.25, p50: 0.25, p75: 0.25, p95: 0.25, p100: 0.25 } : null, histogram: [0, 0, boxes, 0, 0, 0, 0, 0, 0, 0] },
      height: { quantiles: boxes ? { p0: 0.5, p5: 0.5, p25: 0.5, p50: 0.5, p75: 0.5, p95: 0.5, p100: 0.5 } : null, histogram: [0, 0, 0, 0, 0, boxes, 0, 0, 0, 0] },
      buckets: { small: 0, medium: 0, large: boxes },
    },
    imageSizes: {
      width: images ? { min: 64, median: 64, max: 64 } : null,
      height: images ? { min: 48, median: 48, max: 48 } : null,
      distinct: images ? 1 : 0,
      common: images ? [{ width: 64, height: 48, images }] : [],
      unreadable: 0,
    },
  };
}

function sampleStats(): DatasetStats {
  return {
    schemaVersion: 1,
    dataYaml: 'data.yaml',
    classes: ['cat', 'dog'],
    boxSizeBuckets: { imgsz: 640, smallMaxArea: 1024, mediumMaxArea: 9216, histogramBins: 10 },
    splits: { train: split(4, 1), val: split(2, 0), test: split(0, 0) },
    total: split(6, 1),
    classBalance: { maxToMinBoxes: null, boxShare: [1, 0], withoutBoxes: ['dog'] },
    problems: 0,
  };
}

describe('dataset statistics schema', () => {
  it('accepts a report with empty splits and null quantiles', () => {
    const report = sampleStats();
    expect(datasetStatsSchema.parse(report)).toEqual(report);
    expect(parseDatasetStats(JSON.stringify(report), 'stats.json').splits['test']?.boxSizes.width.quantiles).toBeNull();
  });

  it.each([
    ['another schema version', (r: DatasetStats) => ({ ...r, schemaVersion: 2 }), /schemaVersion/],
    ['a missing total', ({ total: _total, ...r }: DatasetStats) => r, /total/],
    ['a key it does not know', (r: DatasetStats) => ({ ...r, extra: 1 }), /extra/],
    ['a negative count', (r: DatasetStats) => ({ ...r, total: { ...split(6, 1), boxes: -1 } }), /total\.boxes/],
    ['a fractional image count', (r: DatasetStats) => ({ ...r, splits: { train: { ...split(4, 1), images: 1.5 } } }), /splits\.train\.images/],
  ])('refuses %s, naming the field', (_name, change, field) => {
    const text = JSON.stringify(change(sampleStats()));
    expect(() => parseDatasetStats(text, 'stats.json')).toThrow(field);
    expect(() => parseDatasetStats(text, 'stats.json')).toThrow(/^stats\.json is not a dataset statistics report of schemaVersion 1: /);
  });

  it('refuses text that is not JSON, naming the file', () => {
    expect(() => parseDatasetStats('{"schemaVersion": 1,', 'out/stats.json')).toThrow(/^out\/stats\.json is not JSON: /);
  });
});
