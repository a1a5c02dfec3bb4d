// `yolops dataset convert` as a user runs it: a real process of bin/yolops.js, which runs the real Python
// converter in the project's .venv on exports of the labelled-data corpus (test/corpus/labelled/).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const repo = new URL('../../..', import.meta.url).pathname;
const corpus = join(repo, 'test', 'corpus', 'labelled');
const work = mkdtempSync(join(tmpdir(), 'yolops-convert-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function yolops(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(repo, 'bin', 'yolops.js'), ...args], {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, YOLOPS_HOME: join(work, 'home'), YOLO_OFFLINE: 'true', YOLOPS_DEBUG: '' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const lines = (text: string): string[] => text.split('\n').filter((line) => line.trim() !== '');

describe('yolops dataset convert', () => {
  it('converts a COCO export into a split dataset, with its warning and summary on stderr and the result as JSON', () => {
    const output = join(work, 'coco-dataset');
    const r = yolops('dataset', 'convert', '--from', 'coco', join(corpus, 'coco', 'crowd', 'instances.json'), output, '--split', '0.5,0.5', '--seed', '3', '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(lines(r.stderr)[0]).toMatch(/^warning: instances\.json: annotations\[1\] \(id 2\): is a crowd region .*; crowd regions are skipped/);
    expect(r.stderr).toMatch(/converted coco into .*coco-dataset: train 1 images \(1 boxes\), val 1 images \(1 boxes\); 2 classes \(cat, dog\)/);
    const result = JSON.parse(r.stdout) as { valid: boolean; classes: string[]; splits: Record<string, { images: number }>; problems: { code: string }[] };
    expect(result.valid).toBe(true);
    expect(result.classes).toEqual(['cat', 'dog']);
    expect(result.problems.map((p) => p.code)).toEqual(['crowd_annotation']);
    expect(parse(readFileSync(join(output, 'data.yaml'), 'utf8'))).toEqual({ train: 'images/train', val: 'images/val', nc: 2, names: ['cat', 'dog'] });
    expect(readdirSync(join(output, 'images', 'train')).length + readdirSync(join(output, 'images', 'val')).length).toBe(2);
  });

  it('refuses an export with an error: exit 2, one line saying where, what and how to fix it, nothing written', () => {
    const output = join(work, 'refused');
    const r = yolops('dataset', 'convert', '--from', 'coco', join(corpus, 'coco', 'unknown-category', 'instances.json'), output);
    expect(r.status).toBe(2);
    expect(lines(r.stderr)).toEqual([
      "yolops: instances.json: annotations[1] (id 12): category_id 9 is not in categories; add the category to the export's class list or remove its annotations; nothing was written",
    ]);
    expect(existsSync(output)).toBe(false);
  });

  it('checks --split and --from before running Python', () => {
    const split = yolops('dataset', 'convert', '--from', 'voc', work, join(work, 'x'), '--split', '0.8,0.3');
    expect(split.status).toBe(2);
    expect(lines(split.stderr)).toEqual(['yolops: --split "0.8,0.3" adds up to 1.1; the parts must add up to 1']);
    const format = yolops('dataset', 'convert', '--from', 'csv', work, join(work, 'x'));
    expect(format.status).toBe(2);
    expect(format.stderr).toMatch(/--from <format>' argument 'csv' is invalid. Allowed choices are yolo, coco, voc, groundtruth, labelstudio/);
  });
});
