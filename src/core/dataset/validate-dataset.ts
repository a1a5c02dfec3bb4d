import type { ObjectStore } from '../storage/object-store.ts';
import { formatS3Uri, normalizePrefix } from '../storage/s3-uri.ts';
import { checkImageFolder, type FolderCheckContext, type FolderTally } from './check-image-folder.ts';
import type { DatasetIndex } from './dataset-index.ts';
import type { SplitName } from './data-yaml.ts';
import { ACCEPTED_EXTENSIONS_TEXT, DATA_YAML_NAMES } from './contract.ts';
import { DATA_YAML, loadDataset, type DatasetLocation, type LoadedDataset, type ResolvedSplit } from './load-dataset.ts';
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
  /** How messages name the dataset's location (a local folder's path); default its `s3://` URI. */
  locationName?: string;
  /**
   * Problems the store's adapter found before anything was read, such as a local folder's symbolic links that
   * lead out of it. When one is an error nothing of the dataset is read: following such a link would read
   * (and upload) a file that is not part of the dataset.
   */
  refusals?: { file: string; problem: ProblemDraft }[];
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
  const uri = formatS3Uri(location.bucket, prefix);
  const result = (summary: DatasetSummary, dataYamlKey: string): DatasetValidation => ({
    schemaVersion: 1,
    dataset: { bucket: location.bucket, prefix, uri, dataYaml: dataYamlKey },
    valid: collector.errors === 0,
    errors: collector.errors,
    warnings: collector.warnings,
    problems: collector.problems(),
    omitted: collector.omittedProblems(),
    summary,
  });

  for (const { file, problem } of options.refusals ?? []) collector.add(file, problem);
  if (collector.errors > 0) return result(emptySummary(), `${prefix}${DATA_YAML}`);

  const loaded = await loadDataset(store, { bucket: location.bucket, prefix });
  const { index, dataYamlKey, parsed } = loaded;
  if (!parsed) {
    collector.add(dataYamlKey, missingDataYaml(loaded, options.locationName ?? uri));
    return result(emptySummary(), dataYamlKey);
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
  return result(summarize(splits, tallies, splitDirs, loaded.splits, parsed.dataYaml.names, parsed.dataYaml.classCount), dataYamlKey);
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
  const kinds = `an image Ultralytics reads (${ACCEPTED_EXTENSIONS_TEXT})`;
  return count === 1 ? `1 file, which is not ${kinds}` : `${count} files, none of them ${kinds}`;
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
function missingDataYaml(loaded: LoadedDataset, where: string): ProblemDraft {
  const { listing, nestedCandidates } = loaded;
  const prefix = listing.prefix;
  const names = DATA_YAML_NAMES.join(' or ');
  if (listing.size === 0) {
    return {
      code: 'missing-data-yaml',
      message: `nothing is uploaded under ${where}`,
      hint: `upload the dataset folder (${DATA_YAML}, images/, labels/) to this prefix, or check the bucket and prefix`,
    };
  }
  if (nestedCandidates.length > 1) {
    return {
      code: 'missing-data-yaml',
      message: `${where} has no ${names} at its top, and ${nestedCandidates.length} folders one level down have one (${nestedCandidates.join(', ')}), so it is not clear which dataset to train`,
      hint: 'keep one dataset per upload: move the others out, or put the data.yaml to train at the top',
    };
  }
  const topLevel = listing.keys().filter((key) => !key.slice(prefix.length).includes('/'));
  const otherYaml = topLevel.find((key) => /\.ya?ml$/i.test(key));
  let hint = `add ${DATA_YAML} next to the images and labels folders, e.g.\n  train: images/train\n  val: images/val\n  names: [cat, dog]`;
  if (otherYaml) hint = `rename ${otherYaml} to ${prefix}${DATA_YAML}`;
  return { code: 'missing-data-yaml', message: `${where} has no ${names} (${listing.size} other object${listing.size === 1 ? '' : 's'})`, hint };
}
