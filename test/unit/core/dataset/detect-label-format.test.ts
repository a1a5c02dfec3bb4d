import { describe, expect, it } from 'vitest';
import { detectLabelFormat, firstNonBlankCharacter, isAnnotationFile, jsonKeysToRead, MAX_JSON_FILES } from '../../../../src/core/dataset/detect-label-format.ts';

/** Detection from a folder given as `{ relative key: file text }`: the .json starts are read as a caller reads them. */
function detect(files: Record<string, string>) {
  const keys = Object.keys(files);
  const starts = new Map(jsonKeysToRead(keys).map((key) => [key, firstNonBlankCharacter(Buffer.from(files[key] ?? ''))]));
  return detectLabelFormat(keys, starts);
}

const image = 'jpeg bytes';

describe('detectLabelFormat on the layouts exports come in', () => {
  it('a Roboflow COCO export (one _annotations.coco.json per split folder, READMEs): coco, with the three files', () => {
    const result = detect({
      'README.dataset.txt': 'x',
      'README.roboflow.txt': 'x',
      'train/_annotations.coco.json': '{"images": []}',
      'train/a_jpg.rf.1.jpg': image,
      'valid/_annotations.coco.json': '\n  {"images": []}',
      'valid/b_jpg.rf.2.jpg': image,
      'test/_annotations.coco.json': '{}',
      'test/c_jpg.rf.3.jpg': image,
    });
    expect(result).toMatchObject({ kind: 'detected', format: 'coco', annotationFiles: ['test/_annotations.coco.json', 'train/_annotations.coco.json', 'valid/_annotations.coco.json'] });
  });

  it('a CVAT Pascal VOC zip unpacked (Annotations/, JPEGImages/, ImageSets/, labelmap.txt): voc', () => {
    const result = detect({
      'Annotations/frame_000001.xml': '<annotation/>',
      'Annotations/frame_000002.xml': '<annotation/>',
      'JPEGImages/frame_000001.jpg': image,
      'JPEGImages/frame_000002.jpg': image,
      'ImageSets/Main/default.txt': 'frame_000001\nframe_000002\n',
      'labelmap.txt': '# label:color_rgb:parts:actions\ncat:1,2,3::\n',
    });
    expect(result).toMatchObject({ kind: 'detected', format: 'voc', annotationFiles: ['Annotations/frame_000001.xml', 'Annotations/frame_000002.xml'] });
    expect(result.kind === 'detected' && result.summary).toMatch(/^voc: 2 \.xml files \(e\.g\. Annotations\/frame_000001\.xml\)$/);
  });

  it('a Ground Truth job copied by the completion (output.manifest, images/<key>): groundtruth', () => {
    expect(detect({ 'output.manifest': '{"source-ref": "s3://b/raw-images/a.jpg"}\n', 'images/raw-images/batch-1/a.jpg': image, 'images/raw-images/batch-1/b.png': image })).toMatchObject({
      kind: 'detected',
      format: 'groundtruth',
      annotationFiles: ['output.manifest'],
    });
  });

  it('a Label Studio JSON export (an array, here after a byte order mark and blank lines) with its uploads: labelstudio', () => {
    expect(detect({ 'project-3-at-2026-01-02-10-00-5a1b.json': '\uFEFF\r\n\t [{"id": 1}]', 'data/upload/3/5a1b-cat.jpg': image })).toMatchObject({ kind: 'detected', format: 'labelstudio' });
  });

  it.each([
    ['unsplit, classes.txt', { 'classes.txt': 'cat\n', 'images/a.jpg': image, 'labels/a.txt': '0 0.5 0.5 0.1 0.1\n' }, ['classes.txt']],
    ['unsplit, data.yaml', { 'data.yaml': 'names: [cat]\n', 'images/a.jpg': image, 'labels/a.txt': '' }, ['data.yaml']],
    ['split (images/train, labels/train)', { 'data.yaml': 'names: [cat]\n', 'images/train/a.jpg': image, 'labels/train/a.txt': '', 'images/val/b.jpg': image, 'labels/val/b.txt': '' }, ['data.yaml']],
    ['a Roboflow YOLO export (train/images, train/labels)', { 'data.yaml': 'names: [cat]\n', 'README.roboflow.txt': 'x', 'train/images/a.jpg': image, 'train/labels/a.txt': '' }, ['data.yaml']],
  ])('YOLO, %s: yolo', (_name, files, annotationFiles) => {
    expect(detect(files)).toMatchObject({ kind: 'detected', format: 'yolo', annotationFiles });
  });

  it('hidden files, the upload marker and __MACOSX/ are no part of the export', () => {
    const result = detect({ '.yolops-upload.json': '{}', '.DS_Store': 'x', '__MACOSX/._annotations.json': '[', 'annotations.json': '{"images": []}', 'img/a.jpg': image });
    expect(result).toMatchObject({ kind: 'detected', format: 'coco', annotationFiles: ['annotations.json'] });
  });
});

describe('detectLabelFormat refuses what it cannot tell, saying what it found and what to upload', () => {
  it('a COCO file and VOC files in one folder: both formats named', () => {
    const result = detect({ 'annotations.json': '{"images": []}', 'Annotations/a.xml': '<annotation/>', 'images/a.jpg': image });
    expect(result.kind).toBe('unknown');
    if (result.kind !== 'unknown') return;
    expect(result.problem).toMatch(/2 formats: coco \(annotations\.json\); voc \(Annotations\/a\.xml\)/);
    expect(result.fix).toMatch(/one export per version folder/);
  });

  it('YOLO with a stray Label Studio export: both named', () => {
    const result = detect({ 'classes.txt': 'cat\n', 'images/a.jpg': image, 'labels/a.txt': '', 'export.json': '[]' });
    expect(result).toMatchObject({ kind: 'unknown', problem: expect.stringMatching(/yolo \(classes\.txt\); labelstudio \(export\.json\)/) });
  });

  it('an empty folder, or one with only the upload marker', () => {
    for (const files of [{}, { '.yolops-upload.json': '{}' }] as Record<string, string>[]) {
      const result = detect(files);
      expect(result).toMatchObject({ kind: 'unknown', problem: expect.stringMatching(/holds no files/) });
      expect(result.kind === 'unknown' && result.fix).toMatch(/COCO .*Pascal VOC .*Ground Truth .*Label Studio .*YOLO/);
    }
  });

  it('images only: says what is there', () => {
    const result = detect({ 'a.jpg': image, 'b.jpg': image, 'c.png': image, 'notes.txt': 'x' });
    expect(result).toMatchObject({ kind: 'unknown', problem: 'no annotation file of a known format among 2 .jpg files (e.g. a.jpg), c.png, notes.txt' });
  });

  it('a .json that is neither an object nor an array, or is blank', () => {
    const result = detect({ 'labels.json': '"just a string"', 'empty.json': '  \n', 'a.jpg': image });
    expect(result).toMatchObject({ kind: 'unknown', problem: expect.stringMatching(/2 \.json files \(e\.g\. empty\.json\) start with neither "\{" nor "\["/) });
  });

  it('data.yaml without a labels/ folder', () => {
    expect(detect({ 'data.yaml': 'names: [a]\n', 'images/a.jpg': image })).toMatchObject({ kind: 'unknown', problem: expect.stringMatching(/data\.yaml without a labels\/ folder/) });
  });

  it('one .json per image (LabelMe-style) is not one export', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i <= MAX_JSON_FILES; i += 1) {
      files[`img${String(i).padStart(3, '0')}.json`] = '{}';
      files[`img${String(i).padStart(3, '0')}.jpg`] = image;
    }
    expect(detect(files)).toMatchObject({ kind: 'unknown', problem: expect.stringMatching(new RegExp(`holds ${MAX_JSON_FILES + 1} \\.json files`)) });
  });

  it('a .json whose first bytes were not read counts as unreadable, never as a format', () => {
    expect(detectLabelFormat(['a.json', 'a.jpg'], new Map())).toMatchObject({ kind: 'unknown' });
  });
});

describe('the helpers the callers use', () => {
  it('isAnnotationFile: the annotation files of every format, not images, labels or hidden files', () => {
    expect(['output.manifest', 'Annotations/a.XML', 'train/_annotations.coco.json', 'data.yaml', 'sub/data.yml', 'classes.txt'].filter(isAnnotationFile)).toHaveLength(6);
    expect(['a.jpg', 'labels/a.txt', '.yolops-upload.json', '__MACOSX/a.json', 'README.txt'].filter(isAnnotationFile)).toEqual([]);
  });

  it('jsonKeysToRead: visible .json keys, sorted, one more than the most an export has', () => {
    expect(jsonKeysToRead(['b.json', 'a.JSON', '.yolops-upload.json', 'x.jpg'])).toEqual(['a.JSON', 'b.json']);
    expect(jsonKeysToRead(Array.from({ length: 100 }, (_, i) => `${i}.json`))).toHaveLength(MAX_JSON_FILES + 1);
  });

  it('firstNonBlankCharacter skips JSON whitespace and a byte order mark', () => {
    expect(firstNonBlankCharacter(Buffer.from('\uFEFF \n{'))).toBe('{');
    expect(firstNonBlankCharacter(Buffer.from('  [1]'))).toBe('[');
    expect(firstNonBlankCharacter(Buffer.from(' \t\r\n'))).toBeUndefined();
    expect(firstNonBlankCharacter(new Uint8Array())).toBeUndefined();
  });
});
