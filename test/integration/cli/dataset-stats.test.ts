// `yolops dataset stats` as a user runs it: real CLI processes of bin/yolops.js on a dataset made by
// `yolops dataset synth`, running the real statistics tool in the project's Python (.venv).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { datasetStatsSchema } from '../../../src/core/dataset/dataset-stats.ts';
import { makeLinkedProject } from './aws-cli.ts';

const repo = new URL('../../..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'yolops-stats-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A project folder (cdk.json, training-config.json, training/ of the repository): the CLI finds it from its cwd. */
const project = makeLinkedProject(join(work, 'project'));

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

function yolops(cwd: string, ...args: string[]): Result {
  const result = spawnSync(process.execPath, [join(repo, 'bin', 'yolops.js'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, YOLOPS_HOME: join(work, 'home'), YOLO_OFFLINE: 'true', YOLOPS_DEBUG: '' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function files(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(folder, join(e.parentPath, e.name)))
    .sort();
}

interface SynthSummary {
  names: string[];
  splits: { split: string; images: number; backgroundImages: number; boxes: number }[];
  boxesPerClass: { id: number; name: string; boxes: number }[];
}

const dataset = join(work, 'shapes');
const synth = yolops(project, 'dataset', 'synth', dataset, '--train', '24', '--val', '8', '--image-size', '64', '--json');
const made = JSON.parse(synth.stdout || '{}') as SynthSummary;

describe('yolops dataset stats', () => {
  it('writes JSON that passes the schema and agrees with what synth wrote, and the charts where asked', () => {
    expect(synth.status, synth.stderr).toBe(0);
    const png = join(work, 'charts', 'shapes.png');
    const result = yolops(project, 'dataset', 'stats', dataset, '--json', '--png', png);
    expect(result.status, result.stderr).toBe(0);
    const stats = datasetStatsSchema.parse(JSON.parse(result.stdout));
    expect(stats.classes).toEqual(made.names);
    for (const split of made.splits) {
      const got = stats.splits[split.split];
      expect({ split: split.split, images: got?.images, backgroundImages: got?.backgroundImages, boxes: got?.boxes }).toEqual(split);
    }
    expect(stats.total.classes.map((c) => ({ id: c.id, name: c.name, boxes: c.boxes }))).toEqual(made.boxesPerClass);
    expect(stats.total.imageSizes.common).toEqual([{ width: 64, height: 64, images: stats.total.images }]);
    expect(stats.problems).toBe(0);
    expect(readFileSync(png).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(result.stderr).toContain(`charts: ${png}`);
  });

  it('prints tables and draws ./dataset-stats.png in the current folder by default', () => {
    const result = yolops(project, 'dataset', 'stats', dataset);
    expect(result.status, result.stderr).toBe(0);
    const stats = datasetStatsSchema.parse(JSON.parse(yolops(project, 'dataset', 'stats', dataset, '--json', '--no-png').stdout));
    const train = stats.splits['train'];
    expect(train).toBeDefined();
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`dataset ${dataset} (data.yaml): 3 classes, ${stats.total.images} images, ${stats.total.boxes} boxes`);
    expect(lines).toContain('images and boxes per split');
    expect(lines.find((l) => l.startsWith('train '))?.split(/\s{2,}/).slice(0, 4)).toEqual(['train', String(train?.images), expect.stringMatching(new RegExp(`^${train?.backgroundImages} \\(`)), String(train?.boxes)]);
    for (const c of stats.total.classes) {
      const row = lines.find((l) => l.startsWith(`${c.id}  `) && l.includes(c.name));
      expect(row, c.name).toContain(`${c.boxes} (${c.images})`);
    }
    const hist = train?.boxesPerImage.histogram.map((h) => `${h.boxes}: ${h.images}`).join(', ');
    expect(lines.filter((l) => l.startsWith('train '))).toContainEqual(`train  ${hist}`);
    expect(result.stdout).toMatch(/COCO buckets at imgsz 640 \(small < 32², medium < 96² px\)/);
    expect(result.stdout).toContain(`64x64 (${train?.images})`);
    expect(result.stderr.trim()).toBe(`charts: ${join(project, 'dataset-stats.png')}`);
    expect(existsSync(join(project, 'dataset-stats.png'))).toBe(true);
  });

  it('never writes into the dataset unless asked: from inside it, the charts go to a temporary file', () => {
    const before = files(dataset);
    const result = yolops(join(dataset, 'images'), 'dataset', 'stats', '..');
    expect(result.status, result.stderr).toBe(0);
    const png = join(tmpdir(), 'yolops-shapes-stats.png');
    expect(result.stderr.trim()).toBe(`charts: ${png}`);
    expect(existsSync(png)).toBe(true);
    rmSync(png);
    expect(files(dataset)).toEqual(before);
  });

  it('refuses a folder that is no dataset with one line and exit 2', () => {
    const missing = yolops(project, 'dataset', 'stats', join(work, 'nope'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe(`yolops: ${join(work, 'nope')} is not a directory: give the dataset folder that holds data.yaml\n`);

    const empty = join(work, 'empty');
    mkdirSync(empty);
    const noYaml = yolops(project, 'dataset', 'stats', empty, '--no-png');
    expect(noYaml.status).toBe(2);
    const lines = noYaml.stderr.split('\n').filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^yolops: No data.yaml in the dataset folder ${empty} .*Fix: upload the dataset with its data.yaml`));
  });
});
