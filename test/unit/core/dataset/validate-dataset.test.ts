import { describe, expect, it } from 'vitest';
import { ACCEPTED_EXTENSIONS_TEXT, IMAGE_EXTENSIONS } from '../../../../src/core/dataset/contract.ts';
import type { ProblemCode } from '../../../../src/core/dataset/problems.ts';
import { validateDataset, type ValidateOptions } from '../../../../src/core/dataset/validate-dataset.ts';
import type { DatasetValidation } from '../../../../src/core/dataset/validation-result.ts';
import { jpegImage, pngImage } from '../../../fixtures/datasets/images.ts';
import { MemoryObjectStore } from '../../../fixtures/datasets/memory-object-store.ts';
import { BUCKET, memoryDataset, PREFIX, validDataset, writeFiles, type DatasetFiles } from '../../../fixtures/datasets/write-dataset.ts';

async function validate(files: DatasetFiles, options: ValidateOptions = {}): Promise<DatasetValidation> {
  return validateDataset(await memoryDataset(files), { bucket: BUCKET, prefix: PREFIX }, options);
}

function only(result: DatasetValidation, code: ProblemCode) {
  const found = result.problems.filter((p) => p.code === code);
  expect(found, `problems: ${JSON.stringify(result.problems, null, 2)}`).toHaveLength(1);
  return found[0];
}

function codes(result: DatasetValidation): ProblemCode[] {
  return result.problems.map((p) => p.code);
}

const DATA_YAML = `${PREFIX}data.yaml`;

describe('validateDataset: a valid dataset', () => {
  it('has no problems and a summary of images, labels, backgrounds and boxes per class', async () => {
    const result = await validate(validDataset());
    expect(result.problems).toEqual([]);
    expect(result).toMatchObject({ valid: true, errors: 0, warnings: 0, schemaVersion: 1 });
    expect(result.dataset).toEqual({ bucket: BUCKET, prefix: PREFIX, uri: `s3://${BUCKET}/${PREFIX}`, dataYaml: DATA_YAML });
    expect(result.summary.splits).toEqual([
      { split: 'train', key: 'train', paths: ['images/train'], imageDirs: [`${PREFIX}images/train`], images: 3, labelFiles: 2, backgroundImages: 1, boxes: 3, polygons: 0 },
      { split: 'val', key: 'val', paths: ['images/val'], imageDirs: [`${PREFIX}images/val`], images: 1, labelFiles: 1, backgroundImages: 0, boxes: 1, polygons: 0 },
    ]);
    expect(result.summary.classes).toEqual([
      { id: 0, name: 'cat', boxes: 2, boxesPerSplit: { train: 1, val: 1 } },
      { id: 1, name: 'dog', boxes: 2, boxesPerSplit: { train: 2, val: 0 } },
    ]);
    expect(result.summary.totals).toEqual({ images: 4, labelFiles: 3, backgroundImages: 1, boxes: 4 });
    expect(result.summary.imagesInspected).toBe(4);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result); // --json prints it as is
  });

  it('counts an image without a label file and one with an empty label file as background, not as a problem', async () => {
    const result = await validate({ ...validDataset(), 'images/train/empty.png': pngImage(), 'labels/train/empty.txt': '\n  \n' });
    expect(result.problems).toEqual([]);
    expect(result.summary.splits[0]).toMatchObject({ images: 4, labelFiles: 3, backgroundImages: 2 });
  });

  it('accepts the Roboflow layout: ../train/images, a valid split, <split>/labels beside <split>/images', async () => {
    const result = await validate({
      'data.yaml': 'train: ../train/images\nval: ../valid/images\ntest: ../test/images\nnc: 2\nnames: [cat, dog]\nroboflow:\n  workspace: me\n',
      'train/images/a.jpg': jpegImage(),
      'train/labels/a.txt': '0 0.5 0.5 0.2 0.2\n',
      'valid/images/b.jpg': jpegImage(),
      'valid/labels/b.txt': '1 0.5 0.5 0.2 0.2\n',
      'test/images/c.jpg': jpegImage(),
      'test/labels/c.txt': '1 0.5 0.5 0.2 0.2\n',
    });
    expect(result.problems).toEqual([]);
    expect(result.summary.splits.map((s) => [s.split, s.imageDirs, s.images, s.boxes])).toEqual([
      ['train', [`${PREFIX}train/images`], 1, 1],
      ['val', [`${PREFIX}valid/images`], 1, 1],
      ['test', [`${PREFIX}test/images`], 1, 1],
    ]);
  });

  it('accepts names as an {id: name} map, in any key order, and the validation split under `valid`', async () => {
    const files = validDataset();
    files['data.yaml'] = 'path: /home/me/datasets/pets  # ignored\ntrain: images/train\nvalid: images/val\nnames:\n  1: dog\n  0: cat\n';
    const result = await validate(files);
    expect(result.problems).toEqual([]);
    expect(result.summary.classes.map((c) => c.name)).toEqual(['cat', 'dog']);
    expect(result.summary.splits[1]).toMatchObject({ split: 'val', key: 'valid' });
  });

  it('accepts segmentation polygons and counts them as boxes', async () => {
    const files = validDataset();
    files['labels/train/a.txt'] = '0 0.1 0.1 0.5 0.1 0.3 0.6\n1 0.2 0.2 0.4 0.2 0.4 0.4 0.2 0.4\n';
    const result = await validate(files);
    expect(result.problems).toEqual([]);
    expect(result.summary.splits[0]).toMatchObject({ boxes: 3, polygons: 2 });
  });

  it('reads image headers with small ranged reads, not whole images', async () => {
    const store = await memoryDataset({ ...validDataset(), 'images/train/big.jpg': jpegImage(4000, 3000, { metadataBytes: 60_000, scanBytes: 400_000, trailing: [0x53, 0x45, 0x46, 0x54] }) });
    const result = await validateDataset(store, { bucket: BUCKET, prefix: PREFIX });
    expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
    const key = `${PREFIX}images/train/big.jpg`;
    expect(store.reads.filter((r) => r.key === key).every((r) => r.ranged)).toBe(true);
    expect(store.bytesRead(key)).toBeLessThan(200_000);
  });
});

describe('validateDataset: data.yaml problems', () => {
  it('finds data.yml as the training job does, and suggests renaming another YAML file', async () => {
    const files = validDataset();
    files['data.yml'] = files['data.yaml'] ?? '';
    delete files['data.yaml'];
    const yml = await validate(files);
    expect(yml).toMatchObject({ valid: true, errors: 0, dataset: { dataYaml: `${PREFIX}data.yml` } });

    files['dataset.yaml'] = files['data.yml'] ?? '';
    delete files['data.yml'];
    const result = await validate(files);
    const problem = only(result, 'missing-data-yaml');
    expect(problem).toMatchObject({ severity: 'error', file: DATA_YAML, hint: `rename ${PREFIX}dataset.yaml to ${PREFIX}data.yaml` });
    expect(problem?.message).toBe(`s3://${BUCKET}/${PREFIX} has no data.yaml or data.yml (8 other objects)`);
    expect(result.valid).toBe(false);
  });

  it('says so when nothing is uploaded at the prefix; finds the only data.yaml one folder down; refuses two', async () => {
    const empty = await validateDataset(new MemoryObjectStore(BUCKET), { bucket: BUCKET, prefix: PREFIX });
    expect(only(empty, 'missing-data-yaml')?.message).toBe(`nothing is uploaded under s3://${BUCKET}/${PREFIX}`);
    const store = await memoryDataset(validDataset(), `${PREFIX}pets/`);
    const nested = await validateDataset(store, { bucket: BUCKET, prefix: PREFIX });
    expect(nested).toMatchObject({ valid: true, dataset: { prefix: PREFIX, dataYaml: `${PREFIX}pets/data.yaml` }, summary: { totals: { images: 4 } } });
    expect(nested.summary.splits[0]?.imageDirs).toEqual([`${PREFIX}pets/images/train`]);
    await writeFiles(store, validDataset(), `${PREFIX}cats/`);
    const two = only(await validateDataset(store, { bucket: BUCKET, prefix: PREFIX }), 'missing-data-yaml');
    expect(two?.message).toContain(`2 folders one level down have one (${PREFIX}cats/data.yaml, ${PREFIX}pets/data.yaml)`);
  });

  it('reports unparseable YAML with its line', async () => {
    const files = validDataset();
    files['data.yaml'] = 'train: images/train\nval: images/val\nnames: [cat, dog\nnc: 2\n';
    const problem = only(await validate(files), 'invalid-yaml');
    expect(problem).toMatchObject({ file: DATA_YAML, line: 4, severity: 'error' });
    expect(problem?.message).toMatch(/^data\.yaml is not valid YAML: /);
  });

  it('reports a repeated key as invalid YAML on the repeated line', async () => {
    const files = validDataset();
    files['data.yaml'] = 'train: images/train\nval: images/val\nnames: [cat, dog]\nval: images/train\n';
    expect(only(await validate(files), 'invalid-yaml')).toMatchObject({ line: 4 });
  });

  it('reports data.yaml that is not a mapping', async () => {
    const files = validDataset();
    files['data.yaml'] = '- images/train\n- images/val\n';
    expect(only(await validate(files), 'invalid-data-yaml')).toMatchObject({ line: 1, message: 'data.yaml must be a mapping of keys, but it is a list' });
  });

  it('reports missing names, and still checks the splits', async () => {
    const files = validDataset();
    files['data.yaml'] = 'train: images/train\nval: images/val\n';
    const result = await validate(files);
    const problem = only(result, 'missing-names');
    expect(problem).toMatchObject({ file: DATA_YAML, message: 'data.yaml has no names (the class names)' });
    expect(problem?.line).toBeUndefined();
    expect(result.summary.splits.map((s) => s.images)).toEqual([3, 1]);
    expect(result.summary.classes.map((c) => c.name)).toEqual(['class 0', 'class 1']);
  });

  it('reports a names map with a gap in its ids', async () => {
    const files = validDataset();
    files['data.yaml'] = 'train: images/train\nval: images/val\nnames:\n  0: cat\n  2: dog\n';
    expect(only(await validate(files), 'invalid-names')).toMatchObject({ line: 3, message: 'names map has ids 0, 2, but ids must run 0..1 without gaps (id 1 is missing)' });
  });

  it('reports nc that does not match the names, on the nc line', async () => {
    const files = validDataset();
    files['data.yaml'] = 'train: images/train\nval: images/val\nnc: 3\nnames: [cat, dog]\n';
    expect(only(await validate(files), 'nc-mismatch')).toMatchObject({ file: DATA_YAML, line: 3, message: 'nc is 3 but names lists 2 classes', hint: 'set nc: 2, or remove nc (the names define the classes)' });
  });

  it('warns about two classes with the same name', async () => {
    const files = validDataset();
    files['data.yaml'] = 'train: images/train\nval: images/val\nnames: [cat, cat]\n';
    const result = await validate(files);
    expect(only(result, 'duplicate-class-name')).toMatchObject({ severity: 'warning', line: 3, message: 'classes 0 and 1 are both named "cat"' });
    expect(result.valid).toBe(true);
  });

  it('reports a missing val key', async () => {
    const files = validDataset();
    files['data.yaml'] = 'train: images/train\nnames: [cat, dog]\n';
    expect(only(await validate(files), 'missing-split')).toMatchObject({ file: DATA_YAML, message: 'data.yaml has no val split', severity: 'error', hint: 'this dataset has images/val/: add val: images/val' });
  });

  it('reports a split path that does not exist, with its line and the folder that does', async () => {
    const files = validDataset();
    files['data.yaml'] = 'train: images/train\nval: images/validation\nnames: [cat, dog]\n';
    const problem = only(await validate(files), 'split-path-missing');
    expect(problem).toMatchObject({
      file: DATA_YAML,
      line: 2,
      severity: 'error',
      message: `val: images/validation does not exist in this dataset (looked for ${PREFIX}images/validation/)`,
      hint: 'this dataset has images/val/: set val: images/val',
    });
  });

  it('reports a missing test split only as a warning', async () => {
    const files = validDataset();
    files['data.yaml'] = 'train: images/train\nval: images/val\ntest: images/test\nnames: [cat, dog]\n';
    const result = await validate(files);
    expect(only(result, 'split-path-missing')).toMatchObject({ severity: 'warning', line: 3 });
    expect(result.valid).toBe(true);
  });

  it('treats an empty test key as no test split, as Ultralytics does', async () => {
    const files = validDataset();
    files['data.yaml'] = 'train: images/train\nval: images/val\ntest: # optional\nnames: [cat, dog]\n';
    const result = await validate(files);
    expect(result.problems).toEqual([]);
    expect(result.summary.splits.map((s) => s.split)).toEqual(['train', 'val']);
  });

  it('refuses an absolute split path and names the part that exists in the upload', async () => {
    const files = validDataset();
    files['data.yaml'] = 'train: /home/me/datasets/pets/images/train\nval: images/val\nnames: [cat, dog]\n';
    expect(only(await validate(files), 'unsupported-split-path')).toMatchObject({
      line: 1,
      message: 'train: /home/me/datasets/pets/images/train is an absolute path on some machine',
      hint: 'write the folder relative to data.yaml; images/train exists in this upload',
    });
  });

  it('reports an empty train split', async () => {
    const files = Object.fromEntries(Object.entries(validDataset()).filter(([key]) => !key.startsWith('images/train/')));
    files['images/train/readme.md'] = 'images go here';
    const result = await validate(files);
    expect(only(result, 'empty-split')).toMatchObject({
      file: DATA_YAML,
      line: 1,
      severity: 'error',
      message: `the train split has no images: ${PREFIX}images/train/ holds 1 file, which is not an image Ultralytics reads (${ACCEPTED_EXTENSIONS_TEXT})`,
    });
    expect(codes(result)).toContain('unsupported-file');
  });

  it('reports an empty val split', async () => {
    const files = validDataset();
    delete files['images/val/c.png'];
    const result = await validate(files);
    // labels/val/c.txt keeps the folder alive but no image is left in images/val: the split path is missing
    expect(only(result, 'split-path-missing')).toMatchObject({ line: 2 });
    files['images/val/notes.txt'] = 'x';
    const withFolder = await validate(files);
    expect(only(withFolder, 'empty-split')).toMatchObject({ line: 2, severity: 'error' });
    expect(only(withFolder, 'empty-split')?.message).toMatch(/^the val split has no images/);
  });

  it('warns when val uses the training images', async () => {
    const files = validDataset();
    files['data.yaml'] = 'train: images/train\nval: images/train\nnames: [cat, dog]\n';
    const result = await validate(files);
    expect(only(result, 'same-split-folders')).toMatchObject({ severity: 'warning', line: 2 });
    // the shared folder is checked and counted once
    expect(result.summary.splits.map((s) => s.images)).toEqual([3, 3]);
    expect(result.summary.totals.images).toBe(3);
  });
});

describe('validateDataset: file problems', () => {
  it('reports a label file without an image (an error, as in the training job: usually a renamed or missing image)', async () => {
    const result = await validate({ ...validDataset(), 'labels/train/lost.txt': '0 0.5 0.5 0.1 0.1\n', 'labels/train/classes.txt': 'cat\ndog\n' });
    expect(only(result, 'label-without-image')).toMatchObject({
      severity: 'error',
      file: `${PREFIX}labels/train/lost.txt`,
      message: `no image uses this label file: there is no ${PREFIX}images/train/lost.{${[...IMAGE_EXTENSIONS.keys()].join(',')}}`,
    });
    expect(result.valid).toBe(false);
  });

  it('names the unsupported image a label file was meant for', async () => {
    const result = await validate({ ...validDataset(), 'images/train/photo.gif': 'GIF89a', 'labels/train/photo.txt': '0 0.5 0.5 0.1 0.1\n' });
    expect(only(result, 'label-without-image')?.message).toBe('no image uses this label file: photo.gif has the right name but is not an accepted image type');
    expect(only(result, 'unsupported-file')).toMatchObject({ file: `${PREFIX}images/train/photo.gif`, severity: 'warning' });
  });

  it('reports a corrupt image: not an image at all', async () => {
    const result = await validate({ ...validDataset(), 'images/train/a.png': 'this is not a png' });
    expect(only(result, 'corrupt-image')).toMatchObject({ file: `${PREFIX}images/train/a.png`, severity: 'error', message: 'a.png cannot be used: it is not a PNG, JPEG, BMP, WebP, TIFF, JPEG 2000, AVIF or HEIF image (it starts with 74 68 69 73 20 69 73 20)' });
  });

  it('reports a truncated PNG and a truncated JPEG', async () => {
    const png = pngImage(16, 16);
    const jpeg = jpegImage(16, 16);
    const result = await validate({ ...validDataset(), 'images/train/a.png': png.subarray(0, png.length - 20), 'images/val/c.jpg': jpeg.subarray(0, jpeg.length - 2) });
    const corrupt = result.problems.filter((p) => p.code === 'corrupt-image');
    expect(corrupt.map((p) => [p.file, p.message])).toEqual([
      [`${PREFIX}images/train/a.png`, 'a.png cannot be used: it is truncated: the PNG does not end with an IEND chunk (an interrupted upload or copy?)'],
      [`${PREFIX}images/val/c.jpg`, 'c.jpg cannot be used: it is truncated: the JPEG has no end-of-image marker (an interrupted upload or copy?)'],
    ]);
  });

  it('reports duplicate stems: two images that would share one label file', async () => {
    const result = await validate({ ...validDataset(), 'images/train/a.jpg': jpegImage() });
    expect(only(result, 'duplicate-stem')).toMatchObject({
      file: `${PREFIX}images/train/a.png`,
      severity: 'error',
      message: `a.png and a.jpg have the same name before the extension, so both would use the labels in ${PREFIX}labels/train/a.txt`,
    });
    expect(result.summary.splits[0]).toMatchObject({ images: 4, labelFiles: 2, backgroundImages: 1 });
  });

  it('reports an image smaller than 10 pixels a side, which Ultralytics skips', async () => {
    const result = await validate({ ...validDataset(), 'images/train/b.png': pngImage(9, 40) });
    expect(only(result, 'image-too-small')).toMatchObject({ file: `${PREFIX}images/train/b.png`, severity: 'error', message: 'b.png is 9x40 pixels; Ultralytics skips images under 10 pixels a side' });
  });

  it('reports a label file that is not UTF-8 text', async () => {
    const result = await validate({ ...validDataset(), 'labels/train/a.txt': Uint8Array.of(0x30, 0x20, 0xff, 0xfe, 0x0a) });
    expect(only(result, 'unreadable-file')).toMatchObject({ file: `${PREFIX}labels/train/a.txt`, message: 'the label file is not UTF-8 text' });
  });

  it('warns about an image whose extension does not match its content', async () => {
    const result = await validate({ ...validDataset(), 'images/train/d.jpg': pngImage() });
    expect(only(result, 'image-extension-mismatch')).toMatchObject({ severity: 'warning', message: 'd.jpg is named as JPEG but is a PNG file' });
  });

  it('skips image checks when asked, reading no image bytes', async () => {
    const store = await memoryDataset({ ...validDataset(), 'images/train/a.png': 'broken' });
    const result = await validateDataset(store, { bucket: BUCKET, prefix: PREFIX }, { inspectImages: false });
    expect(result.problems).toEqual([]);
    expect(result.summary.imagesInspected).toBe(0);
    expect(store.reads.filter((r) => r.key.includes('/images/'))).toEqual([]);
  });
});

describe('validateDataset: label line problems', () => {
  const withLabel = (text: string, image: Uint8Array = pngImage()): DatasetFiles => ({ ...validDataset(), 'images/train/a.png': image, 'labels/train/a.txt': text });
  const LABEL = `${PREFIX}labels/train/a.txt`;

  it('reports a class id out of range with file and line', async () => {
    const problem = only(await validate(withLabel('0 0.5 0.5 0.2 0.2\n2 0.5 0.5 0.2 0.2\n')), 'class-out-of-range');
    expect(problem).toMatchObject({ file: LABEL, line: 2, severity: 'error', message: 'class id 2 is out of range: data.yaml names 2 classes (ids 0..1)' });
  });

  it('reports coordinates outside 0..1 and, for pixel values, how to convert them for this image', async () => {
    const problem = only(await validate(withLabel('1 320 240 64 48\n', pngImage(640, 480))), 'coordinate-out-of-range');
    expect(problem).toMatchObject({ file: LABEL, line: 1, message: 'cx=320, cy=240, w=64, h=48 are outside 0..1' });
    expect(problem?.hint).toContain('this image is 640x480: divide x and w by 640, y and h by 480');
  });

  it('only warns about coordinates within 0.01 of the edges, which Ultralytics accepts as rounding noise', async () => {
    const result = await validate(withLabel('0 1.004 0.5 0.2 0.2\n1 -0.005 0.5 0.2 0.2\n'));
    const found = result.problems.filter((p) => p.code === 'coordinate-out-of-range');
    expect(found.map((p) => [p.line, p.severity, p.message])).toEqual([
      [1, 'warning', 'cx=1.004 is outside 0..1 (by rounding noise)'],
      [2, 'warning', 'cx=-0.005 is outside 0..1 (by rounding noise)'],
    ]);
    expect(result.valid).toBe(true);
  });

  it('reports a box with zero width', async () => {
    expect(only(await validate(withLabel('0 0.5 0.5 0 0.2\n')), 'non-positive-size')).toMatchObject({ line: 1, message: 'the box has w=0: width and height must be greater than 0' });
  });

  it('reports a wrong field count', async () => {
    const problem = only(await validate(withLabel('0 0.5 0.5 0.2\n')), 'wrong-field-count');
    expect(problem).toMatchObject({ file: LABEL, line: 1, message: 'line has 4 fields: "0 0.5 0.5 0.2"; a box has 5 (class cx cy w h)' });
  });

  it('reports a non-numeric field', async () => {
    expect(only(await validate(withLabel('\n\ndog 0.5 0.5 0.2 0.2\n')), 'non-numeric-field')).toMatchObject({ line: 3, message: 'the class id is "dog", not a number' });
  });

  it('reports a file mixing boxes and polygons', async () => {
    expect(only(await validate(withLabel('0 0.5 0.5 0.2 0.2\n1 0.1 0.1 0.5 0.1 0.3 0.6\n')), 'mixed-label-format')).toMatchObject({ file: LABEL, line: 2, severity: 'error' });
  });

  it('keeps at most N problems per kind, the first by file and line, and counts the rest', async () => {
    const files = validDataset();
    for (let i = 0; i < 12; i += 1) {
      files[`images/train/p${String(i).padStart(2, '0')}.png`] = pngImage();
      files[`labels/train/p${String(i).padStart(2, '0')}.txt`] = '0 100 100 20 20\n0 0.5 0.5 0.1\n';
    }
    const result = await validate(files, { maxProblemsPerKind: 5, concurrency: 7 });
    const kept = result.problems.filter((p) => p.code === 'coordinate-out-of-range');
    expect(kept.map((p) => p.file)).toEqual([0, 1, 2, 3, 4].map((i) => `${PREFIX}labels/train/p0${i}.txt`));
    expect(result.omitted).toEqual([
      { code: 'wrong-field-count', severity: 'error', count: 7 },
      { code: 'coordinate-out-of-range', severity: 'error', count: 7 },
    ]);
    expect(result.errors).toBe(24);
    expect(result.problems).toHaveLength(10);
  });
});
