import { describe, expect, it } from 'vitest';
import { formatValidation } from '../../../../src/core/dataset/format-validation.ts';
import { validateDataset } from '../../../../src/core/dataset/validate-dataset.ts';
import { BUCKET, memoryDataset, PREFIX, validDataset } from '../../../fixtures/datasets/write-dataset.ts';

describe('formatValidation', () => {
  it('prints file:line, the problem, its code and the fix, then the summary', async () => {
    const store = await memoryDataset({ ...validDataset(), 'labels/train/b.txt': '1 0.5 0.5 1 1\n5 0.5 0.5 0.1 0.1\n' });
    const text = formatValidation(await validateDataset(store, { bucket: BUCKET, prefix: PREFIX }));
    expect(text).toBe(
      [
        `s3://${BUCKET}/${PREFIX}: NOT valid (1 error, 0 warnings)`,
        `error   ${PREFIX}labels/train/b.txt:2: class id 5 is out of range: data.yaml names 2 classes (ids 0..1) [class-out-of-range]`,
        '        fix: add the missing class names to data.yaml, or fix the id (ids start at 0, in the order of names); Ultralytics skips the whole image when one of its label lines is invalid',
        '',
        'train 3 images, 2 label files, 1 background image, 3 boxes',
        'val   1 image, 1 label file, 0 background images, 1 box',
        'boxes per class: cat 2, dog 2',
      ].join('\n'),
    );
  });

  it('says how many problems of a kind were left out', async () => {
    const files = validDataset();
    for (let i = 0; i < 4; i += 1) files[`labels/train/x${i}.txt`] = '0 0.5 0.5 0.1 0.1\n';
    const text = formatValidation(await validateDataset(await memoryDataset(files), { bucket: BUCKET, prefix: PREFIX }, { maxProblemsPerKind: 1 }));
    expect(text).toContain('        ... and 3 more label-without-image errors');
  });
});
