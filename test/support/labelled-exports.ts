import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ObjectStore } from '../../src/core/storage/object-store.ts';

/** A 1x1 PNG: the trigger and the watcher never decode images, but the files are real ones. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

/** Small labelled exports, laid out as the tools that make them do, as `{ relative path: bytes }`. */
export const LABELLED_EXPORTS = {
  /** A Roboflow COCO export: one _annotations.coco.json per split folder, beside its images. */
  coco: {
    'README.roboflow.txt': 'exported from Roboflow\n',
    'train/_annotations.coco.json': JSON.stringify({
      images: [{ id: 1, file_name: 'a.png', width: 1, height: 1 }],
      annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 1, 1] }],
      categories: [{ id: 1, name: 'cat' }],
    }),
    'train/a.png': PNG,
    'valid/_annotations.coco.json': JSON.stringify({ images: [{ id: 1, file_name: 'b.png', width: 1, height: 1 }], annotations: [], categories: [{ id: 1, name: 'cat' }] }),
    'valid/b.png': PNG,
  },
  /** A CVAT Pascal VOC zip, unpacked. */
  voc: {
    'Annotations/a.xml': '<annotation><filename>a.png</filename><size><width>1</width><height>1</height></size><object><name>cat</name><bndbox><xmin>0</xmin><ymin>0</ymin><xmax>1</xmax><ymax>1</ymax></bndbox></object></annotation>\n',
    'Annotations/b.xml': '<annotation><filename>b.png</filename><size><width>1</width><height>1</height></size></annotation>\n',
    'JPEGImages/a.png': PNG,
    'JPEGImages/b.png': PNG,
    'ImageSets/Main/default.txt': 'a\nb\n',
    'labelmap.txt': 'cat:::\n',
  },
  /** What the Ground Truth completion copies: the output manifest and each image under images/<key>. */
  groundtruth: {
    'output.manifest': `${JSON.stringify({ 'source-ref': 's3://b/raw-images/batch-1/a.png', boxes: { annotations: [], image_size: [{ width: 1, height: 1 }] } })}\n`,
    'images/raw-images/batch-1/a.png': PNG,
  },
  /** A Label Studio JSON export (an array of tasks) with the uploads it names. */
  labelstudio: {
    'project-3-at-2026-01-02-10-00-5a1b.json': JSON.stringify([{ id: 1, data: { image: '/data/upload/3/5a1b-a.png' }, annotations: [] }]),
    'data/upload/3/5a1b-a.png': PNG,
  },
  /** Unsplit YOLO: classes.txt with images/ and labels/. */
  yolo: {
    'classes.txt': 'cat\n',
    'images/a.png': PNG,
    'labels/a.txt': '0 0.5 0.5 1 1\n',
  },
  /** Images and notes, no annotation file of any format. */
  undetectable: {
    'a.png': PNG,
    'b.png': PNG,
    'notes.txt': 'labels are coming\n',
  },
} as const satisfies Record<string, Record<string, string | Buffer>>;

export type LabelledExportName = keyof typeof LABELLED_EXPORTS;

/** Writes an export into a new folder `dir`. */
export function writeExportFolder(name: LabelledExportName, dir: string): string {
  for (const [path, body] of Object.entries(LABELLED_EXPORTS[name])) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), body);
  }
  return dir;
}

/** Puts an export's files under `root` (ending in "/") of a store, as a plain copy does (no upload marker); returns the keys. */
export async function putExport(store: ObjectStore, bucket: string, root: string, name: LabelledExportName): Promise<string[]> {
  const keys: string[] = [];
  for (const [path, body] of Object.entries(LABELLED_EXPORTS[name])) {
    await store.put(bucket, `${root}${path}`, body);
    keys.push(`${root}${path}`);
  }
  return keys;
}
