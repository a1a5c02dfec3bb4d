import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { parseDatasetStats, type DatasetStats, type SplitStats } from '../../core/dataset/dataset-stats.ts';
import { SPLIT_RULES } from '../../core/dataset/label-formats.ts';
import { CliError } from '../errors.ts';
import { info, printJson, table } from '../output.ts';
import { integerOption } from '../options.ts';
import { runPythonModule } from '../python-module.ts';
import type { CliContext } from '../context.ts';

/** The chart's name when --png is not given: in the current folder, where a person looks for what they made. */
const DEFAULT_PNG = 'dataset-stats.png';
const DEFAULT_IMGSZ = 640;
const MAX_HISTOGRAM_ENTRIES = 15;

/**
 * `yolops dataset stats <dir>`: the statistics of a dataset (per split and class, boxes per image, box and image
 * sizes), computed by the project's Python (training/yolops_dataprep/stats.py, which the training job runs
 * too), printed as tables or JSON, and drawn as one PNG.
 */
export function registerDatasetStatsCommand(dataset: Command, ctx: CliContext): void {
  dataset
    .command('stats')
    .description(
      `statistics of the dataset in <dir>: images and boxes per split and class, boxes per image, box sizes (COCO small/medium/large at the training size), image sizes; ` +
        `charts in one PNG (default: ./${DEFAULT_PNG}, or a temporary file when the current folder is inside the dataset: nothing is written into the dataset unless --png says so)`,
    )
    .argument('<dir>', 'the dataset folder (holding data.yaml, or one folder above it)')
    .option('--json', 'print the statistics as JSON (schemaVersion 1)')
    .option('--png <file>', `where to write the charts (default: ./${DEFAULT_PNG})`)
    .option('--no-png', 'draw no charts')
    .option('--imgsz <px>', 'the training image size at which boxes are sorted into small/medium/large', integerOption('--imgsz', 32), DEFAULT_IMGSZ)
    .action(async (dir: string, options: { json?: boolean; png?: string | boolean; imgsz: number }) => {
      const target = resolve(dir);
      if (!existsSync(target) || !statSync(target).isDirectory()) throw new CliError(`${target} is not a directory: give the dataset folder that holds data.yaml`);
      const png = options.png === false ? undefined : chartPath(options.png, target);
      const scratch = mkdtempSync(join(tmpdir(), 'yolops-dataset-stats-'));
      let stats: DatasetStats;
      try {
        const jsonFile = join(scratch, 'stats.json');
        const args = [target, '--json', jsonFile, '--imgsz', String(options.imgsz), ...(png ? ['--png', png] : [])];
        await runPythonModule('yolops_dataprep', ['stats', ...args], { trainingDir: ctx.project().trainingCodeDir });
        stats = parseDatasetStats(readFileSync(jsonFile, 'utf8'), 'the statistics written by yolops_dataprep stats');
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
      if (options.json) printJson(stats);
      else process.stdout.write(`${formatDatasetStats(stats, target)}\n`);
      if (png) info(`charts: ${png}`);
    });
}

/** The PNG's path: the one asked for, else ./dataset-stats.png unless that lands inside the dataset. */
function chartPath(asked: string | true | undefined, dataset: string): string {
  if (typeof asked === 'string') return resolve(asked);
  const inCwd = resolve(DEFAULT_PNG);
  if (!isInside(inCwd, dataset)) return inCwd;
  return join(tmpdir(), `yolops-${basename(dataset)}-stats.png`);
}

function isInside(file: string, folder: string): boolean {
  const real = (p: string): string => (existsSync(p) ? realpathSync(p) : p);
  const rel = relative(real(folder), real(dirname(file)));
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

function splitNames(stats: DatasetStats): string[] {
  const known = SPLIT_RULES.names.filter((s) => s in stats.splits);
  return [...known, ...Object.keys(stats.splits).filter((s) => !known.includes(s)).sort()];
}

function fixed(value: number | null | undefined, digits = 2): string {
  return value === null || value === undefined ? '-' : Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)}%`;
}

/** The report as a person reads it: one table per question. */
export function formatDatasetStats(stats: DatasetStats, dir: string): string {
  const names = splitNames(stats);
  const rows: [string, SplitStats][] = [...names.map((n): [string, SplitStats] => [n, stats.splits[n] as SplitStats]), ['total', stats.total]];
  const out: string[] = [];
  out.push(`dataset ${dir} (${stats.dataYaml}): ${stats.classes.length} classes, ${stats.total.images} images, ${stats.total.boxes} boxes`);
  out.push('', 'images and boxes per split');
  out.push(
    table(
      ['split', 'images', 'background', 'boxes', 'boxes/image mean', 'median', 'max', 'skipped label lines'],
      rows.map(([name, s]) => [name, String(s.images), `${s.backgroundImages} (${percent(s.backgroundImages, s.images)})`, String(s.boxes), fixed(s.boxesPerImage.mean), fixed(s.boxesPerImage.median, 1), fixed(s.boxesPerImage.max), String(s.skippedLabelLines)]),
    ),
  );
  out.push('', 'boxes (images) per class and split');
  out.push(
    table(
      ['id', 'class', ...rows.map(([name]) => name), 'share of boxes'],
      stats.classes.map((name, id) => [
        String(id),
        name,
        ...rows.map(([, s]) => {
          const c = s.classes[id];
          return c ? `${c.boxes} (${c.images})` : '-';
        }),
        percent(stats.total.classes[id]?.boxes ?? 0, stats.total.boxes),
      ]),
    ),
  );
  const balance = stats.classBalance;
  out.push(
    balance.withoutBoxes.length > 0
      ? `classes without boxes: ${balance.withoutBoxes.join(', ')}`
      : `class balance: the largest class has ${fixed(balance.maxToMinBoxes)}x the boxes of the smallest`,
  );
  out.push('', 'boxes per image (images with that many boxes)');
  out.push(
    table(
      ['split', 'histogram'],
      rows.map(([name, s]) => {
        const shown = s.boxesPerImage.histogram.slice(0, MAX_HISTOGRAM_ENTRIES).map((h) => `${h.boxes}: ${h.images}`);
        const rest = s.boxesPerImage.histogram.length - shown.length;
        return [name, shown.join(', ') + (rest > 0 ? `, ... (${rest} more counts up to ${s.boxesPerImage.max})` : '')];
      }),
    ),
  );
  const b = stats.boxSizeBuckets;
  out.push('', `box sizes: width and height as fractions of the image (p5 / median / p95); COCO buckets at imgsz ${b.imgsz} (small < ${Math.sqrt(b.smallMaxArea)}², medium < ${Math.sqrt(b.mediumMaxArea)}² px)`);
  const side = (q: SplitStats['boxSizes']['width']['quantiles']): string => (q ? `${q.p5.toFixed(3)} / ${q.p50.toFixed(3)} / ${q.p95.toFixed(3)}` : '-');
  out.push(
    table(
      ['split', 'width', 'height', 'small', 'medium', 'large'],
      rows.map(([name, s]) => {
        const k = s.boxSizes.buckets;
        return [name, side(s.boxSizes.width.quantiles), side(s.boxSizes.height.quantiles), `${k.small} (${percent(k.small, s.boxes)})`, `${k.medium} (${percent(k.medium, s.boxes)})`, `${k.large} (${percent(k.large, s.boxes)})`];
      }),
    ),
  );
  out.push('', 'image sizes in pixels (from the image headers)');
  const range = (r: SplitStats['imageSizes']['width']): string => (r ? `${fixed(r.min)} / ${fixed(r.median, 1)} / ${fixed(r.max)}` : '-');
  out.push(
    table(
      ['split', 'width min / median / max', 'height min / median / max', 'distinct', 'most common', 'unreadable'],
      rows.map(([name, s]) => {
        const top = s.imageSizes.common[0];
        return [name, range(s.imageSizes.width), range(s.imageSizes.height), String(s.imageSizes.distinct), top ? `${top.width}x${top.height} (${top.images})` : '-', String(s.imageSizes.unreadable)];
      }),
    ),
  );
  if (stats.problems > 0) out.push('', `${stats.problems} error(s) of the dataset contract were met while reading: run \`yolops dataset validate ${dir}\` to see them`);
  return out.join('\n');
}
