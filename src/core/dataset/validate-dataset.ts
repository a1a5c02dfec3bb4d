import type { ObjectStore } from '../storage/object-store.ts';
import { formatS3Uri, normalizePrefix } from '../storage/s3-uri.ts';
import { checkImageFolder, type FolderCheckContext, type FolderTally } from './check-image-folder.ts';
import type { DatasetIndex } from './dataset-index.ts';
import type { SplitName } from './data-yaml.ts';
import { DATA_YAML, loadDataset, type DatasetLocation, type ResolvedSplit } from './load-dataset.ts';
import { ProblemCollector, type ProblemDraft } from './problems.ts';
import { existingConventionalFolders } from './split-paths.ts';
import type { ClassSummary, DatasetSummary, DatasetValidation, SplitSummary } from './validation-result.ts';

export interface ValidateOptions {
  /** Problems kept per problem code; the rest are only counted. Default 20. */
  maxProblemsPerKind?: number;
  /** Files read at once. Default 16. */
  concurrency?: number;
  /**
   * Read each image's header and end (two small ranged reads). Default true. Turning it off leaves only
   * listing and label reads, for a quick look at a very large dataset.
   */
  inspectImages?: boolean;
  signal?: AbortSignal;
}

export const DEFAULT_MAX_PROBLEMS_PER_KIND = 20;
const DEFAULT_CONCURRENCY = 16;

/**
 * Validates one dataset version against the contract (docs/dataset-contract.md) and reports every problem with
 * its file, line and a fix, plus what the dataset holds. The same function serves the CLI before an upload, the
 * trigger before a training starts, and the local runner. Store failures other than a file vanishing mid-way
 * (permissions, network) are thrown, not reported: they say nothing about the dataset.
 */
export async function validateDataset(store: ObjectStore, location: DatasetLocation, options: ValidateOptions = {}): Promise<DatasetValidation> {
  const collector = new ProblemCollector(options.maxProblemsPerKind ?? DEFAULT_MAX_PROBLEMS_PER_KIND);
  const prefix = normalizePrefix(location.prefix);
  const loaded = await loadDataset(store, { bucket: location.bucket, prefix });
  const { index, dataYamlKey, parsed } = loaded;
  const result = (summary: DatasetSummary): DatasetValidation => ({
    schemaVersion: 1,
    dataset: { bucket: location.bucket, prefix, uri: formatS3Uri(location.bucket, prefix), dataYaml: dataYamlKey },
    valid: collector.errors === 0,
    errors: collector.errors,
    warnings: collector.warnings,
    problems: collector.problems(),
    omitted: collector.omittedProblems(),
    summary,
  });

  if (!parsed) {
    collector.add(dataYamlKey, missingDataYaml(index, location.bucket));
    return result(emptySummary());
  }
  for (const problem of parsed.problems) collector.add(dataYamlKey, problem);

  const context: FolderCheckContext = {
    store,
    bucket: location.bucket,
    index,
    classCount: parsed.dataYaml.classCount,
    collector,
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    inspectImages: options.inspectImages ?? true,
    signal: options.signal,
  };
  const tallies = new Map<string, FolderTally>();
  const splitDirs = new Map<ResolvedSplit, string[]>();
  for (const split of loaded.splits) {
    const dirs = reportUnresolvedFolders(split, index, collector, dataYamlKey);
    splitDirs.set(split, dirs);
    // A folder shared by two splits is checked once, so its problems are reported once.
    for (const dir of dirs) if (!tallies.has(dir)) tallies.set(dir, await checkImageFolder(context, dir));
  }

  const splits = loaded.splits.map((split) => summarizeSplit(split, splitDirs.get(split) ?? [], tallies));
  for (const split of loaded.splits) reportEmptySplit(split, splits, tallies, collector, dataYamlKey);
  reportSharedFolders(loaded.splits, splits, collector, dataYamlKey);
  return result(summarize(splits, tallies, splitDirs, loaded.splits, parsed.dataYaml.names, parsed.dataYaml.classCount));
}

/** Reports split paths that do not resolve; returns the images folders that do. */
function reportUnresolvedFolders(split: ResolvedSplit, index: DatasetIndex, collector: ProblemCollector, dataYamlKey: string): string[] {
  const { declaration } = split;
  const severity = declaration.split === 'test' ? 'warning' : 'error';
  const dirs: string[] = [];
  for (const folder of split.folders) {
    const { resolution } = folder;
    if (resolution.kind === 'found') {
      if (!dirs.includes(resolution.imageDir)) dirs.push(resolution.imageDir);
      continue;
    }
    if (resolution.kind === 'unsupported') {
      collector.add(dataYamlKey, { code: 'unsupported-split-path', severity, line: declaration.line, message: `${declaration.key}: ${resolution.reason}`, hint: resolution.hint });
      continue;
    }
    const found = existingConventionalFolders(declaration.split, index.prefix, (f) => index.folderExists(f));
    const looked = resolution.tried.length > 0 ? ` (looked for ${resolution.tried.map((t) => `${t}/`).join(' and ')})` : '';
    collector.add(dataYamlKey, {
      code: 'split-path-missing',
      severity,
      line: declaration.line,
      message: `${declaration.key}: ${folder.path} does not exist in this dataset${looked}`,
      hint:
        found.length > 0
          ? `this dataset has ${found.map((f) => `${f}/`).join(' and ')}: set ${declaration.key}: ${found[0]}`
          : `upload the ${declaration.split} images to ${resolution.tried[0] ?? `images/${declaration.split}`}/ or fix the path (relative to data.yaml)${declaration.split === 'test' ? '; or remove the test key' : ''}`,
    });
  }
  return dirs;
}

function reportEmptySplit(split: ResolvedSplit, summaries: SplitSummary[], tallies: ReadonlyMap<string, FolderTally>, collector: ProblemCollector, dataYamlKey: string): void {
  const summary = summaries.find((s) => s.split === split.declaration.split);
  if (!summary || summary.imageDirs.length === 0 || summary.images > 0) return; // unresolved folders are reported already
  const otherFiles = summary.imageDirs.reduce((sum, dir) => sum + (tallies.get(dir)?.otherFiles ?? 0), 0);
  const folders = summary.imageDirs.map((d) => `${d}/`).join(', ');
  collector.add(dataYamlKey, {
    code: 'empty-split',
    severity: split.declaration.split === 'test' ? 'warning' : 'error',
    line: split.declaration.line,
    message: `the ${split.declaration.split} split has no images: ${folders} holds ${describeOtherFiles(otherFiles)}`,
    hint: split.declaration.split === 'val' ? 'put at least one labelled image in the validation split: the quality gate is computed on it' : `upload the ${split.declaration.split} images to ${folders}`,
  });
}

function describeOtherFiles(count: number): string {
  if (count === 0) return 'no image files';
  const kinds = '.jpg, .jpeg, .png, .bmp or .webp';
  return count === 1 ? `1 file, which is not a ${kinds} image` : `${count} files, none of them a ${kinds} image`;
}

function reportSharedFolders(resolved: ResolvedSplit[], summaries: SplitSummary[], collector: ProblemCollector, dataYamlKey: string): void {
  const train = summaries.find((s) => s.split === 'train');
  if (!train) return;
  for (const other of summaries.filter((s) => s.split !== 'train')) {
    const shared = other.imageDirs.filter((dir) => train.imageDirs.includes(dir));
    if (shared.length === 0) continue;
    const declaration = resolved.find((r) => r.declaration.split === other.split)?.declaration;
    collector.add(dataYamlKey, {
      code: 'same-split-folders',
      ...(declaration ? { line: declaration.line } : {}),
      message: `${other.key} uses the training images (${shared.map((d) => `${d}/`).join(', ')}), so its metrics measure memory, not generalization`,
      hint: `move some images (with their labels) into a separate ${other.split} folder and point ${other.key} at it`,
    });
  }
}

function summarizeSplit(split: ResolvedSplit, dirs: string[], tallies: ReadonlyMap<string, FolderTally>): SplitSummary {
  const summary: SplitSummary = { split: split.declaration.split, key: split.declaration.key, paths: split.declaration.paths, imageDirs: dirs, images: 0, labelFiles: 0, backgroundImages: 0, boxes: 0, polygons: 0 };
  for (const dir of dirs) {
    const tally = tallies.get(dir);
    if (!tally) continue;
    summary.images += tally.images;
    summary.labelFiles += tally.labelFiles;
    summary.backgroundImages += tally.backgroundImages;
    summary.boxes += tally.boxes;
    summary.polygons += tally.polygons;
  }
  return summary;
}

function summarize(
  splits: SplitSummary[],
  tallies: ReadonlyMap<string, FolderTally>,
  splitDirs: ReadonlyMap<ResolvedSplit, string[]>,
  resolved: ResolvedSplit[],
  names: string[] | undefined,
  classCount: number | undefined,
): DatasetSummary {
  const ids = new Set<number>();
  for (let id = 0; id < (classCount ?? 0); id += 1) ids.add(id);
  for (const tally of tallies.values()) for (const id of tally.boxesPerClass.keys()) if (classCount === undefined) ids.add(id);

  const classes: ClassSummary[] = [...ids]
    .sort((a, b) => a - b)
    .map((id) => {
      const boxesPerSplit: Partial<Record<SplitName, number>> = {};
      for (const split of resolved) {
        const count = (splitDirs.get(split) ?? []).reduce((sum, dir) => sum + (tallies.get(dir)?.boxesPerClass.get(id) ?? 0), 0);
        boxesPerSplit[split.declaration.split] = count;
      }
      const boxes = Object.values(boxesPerSplit).reduce((sum, n) => sum + n, 0);
      return { id, name: names?.[id] ?? `class ${id}`, boxes, boxesPerSplit };
    });

  // Totals count each folder once, even when two splits share it.
  const totals = { images: 0, labelFiles: 0, backgroundImages: 0, boxes: 0 };
  let imagesInspected = 0;
  for (const tally of tallies.values()) {
    totals.images += tally.images;
    totals.labelFiles += tally.labelFiles;
    totals.backgroundImages += tally.backgroundImages;
    totals.boxes += tally.boxes;
    imagesInspected += tally.imagesInspected;
  }
  return { splits, classes, totals, imagesInspected };
}

function emptySummary(): DatasetSummary {
  return { splits: [], classes: [], totals: { images: 0, labelFiles: 0, backgroundImages: 0, boxes: 0 }, imagesInspected: 0 };
}

/** The missing-data.yaml problem, with a hint from what was uploaded instead. */
function missingDataYaml(index: DatasetIndex, bucket: string): ProblemDraft {
  const prefix = index.prefix;
  const where = formatS3Uri(bucket, prefix);
  if (index.size === 0) {
    return {
      code: 'missing-data-yaml',
      message: `nothing is uploaded under ${where}`,
      hint: 'upload the dataset folder (data.yaml, images/, labels/) to this prefix, or check the bucket and prefix',
    };
  }
  const topLevel = index.keys().filter((key) => !key.slice(prefix.length).includes('/'));
  const otherYaml = topLevel.find((key) => /\.ya?ml$/i.test(key));
  const nested = index.keys().find((key) => key.endsWith(`/${DATA_YAML}`));
  let hint = `add ${DATA_YAML} next to the images and labels folders, e.g.\n  train: images/train\n  val: images/val\n  names: [cat, dog]`;
  if (otherYaml) hint = `rename ${otherYaml} to ${prefix}${DATA_YAML}`;
  else if (nested) hint = `the upload has ${nested}: upload that folder's contents here, or validate ${formatS3Uri(bucket, nested.slice(0, -DATA_YAML.length))}`;
  return { code: 'missing-data-yaml', message: `${where} has no ${DATA_YAML} (${index.size} other object${index.size === 1 ? '' : 's'})`, hint };
}
