import * as z from 'zod';
import { CoreError } from '../errors.ts';
import raw from '../../../training/yolops_training/dataset_contract.json' with { type: 'json' };

/**
 * The dataset contract both languages read: the TypeScript validator here, and the training job's checks in
 * training/yolops_training/dataset_contract.py (the file lives under training/ because only that folder ships
 * to SageMaker). Accepted image extensions, where data.yaml may be, the tolerances and the problem codes with
 * their severities exist only in that file; docs/dataset-contract.md explains them.
 */

/** The problem codes, as the contract file lists them (the type follows the file, the values are checked below). */
export type ProblemCode = keyof (typeof raw)['problems'];

/** `error`: training would fail or silently lose data; `warning`: it trains, but probably not as intended. */
export type Severity = 'error' | 'warning';

/** Formats the TypeScript header reader knows; `heif` is refused and never read. */
export type ImageFormat = 'png' | 'jpeg' | 'bmp' | 'webp' | 'tiff' | 'jp2' | 'avif' | 'heif';

/**
 * How the validator checks an image of that extension: `header` reads its size and its end (corruption),
 * `signature` only checks that the file starts as the format says (the size is not read, so too-small and
 * truncated files are left to the training job's full decode), `refused` is an error whatever the content.
 */
export type ImageCheck = 'header' | 'signature' | 'refused';

type SplitName = 'train' | 'val' | 'test';
const splitRecord = <T extends z.ZodType>(value: T) => z.strictObject({ train: value, val: value, test: value });
const nonEmptyStrings = z.array(z.string().min(1)).min(1);

const ImageEntrySchema = z.discriminatedUnion('check', [
  z.strictObject({ format: z.enum(['png', 'jpeg', 'bmp', 'webp', 'tiff', 'jp2', 'avif']), check: z.enum(['header', 'signature']) }),
  z.strictObject({ format: z.literal('heif'), check: z.literal('refused'), refusal: z.string().min(1) }),
]);

const ProblemEntrySchema = z.strictObject({
  severity: z.enum(['error', 'warning']),
  /** Where the problem sits: in data.yaml, on a whole file, or on one line of a label file. */
  scope: z.enum(['data.yaml', 'file', 'line']),
  /** The sides that report it; the training job reports errors only (a warning never stops a training). */
  checkedBy: z.array(z.enum(['typescript', 'python'])).min(1),
});

export const DatasetContractSchema = z.strictObject({
  about: z.string(),
  schemaVersion: z.literal(1),
  ultralyticsVersion: z.string().regex(/^\d+\.\d+\.\d+$/),
  dataYaml: z.strictObject({ fileNames: nonEmptyStrings, oneFolderDown: z.boolean() }),
  splitKeys: splitRecord(nonEmptyStrings),
  conventionalFolders: splitRecord(nonEmptyStrings),
  images: z.record(z.string().regex(/^[a-z0-9]+$/, 'image extensions are lowercase, without the dot'), ImageEntrySchema),
  ignoredLabelFiles: z.array(z.string().min(1)),
  tolerances: z.strictObject({ coordinate: z.number().min(0).max(0.5), minImageSide: z.number().int().min(1) }),
  problems: z.record(z.string().regex(/^[a-z]+(-[a-z]+)*$/), ProblemEntrySchema),
});

export type DatasetContract = z.infer<typeof DatasetContractSchema>;
export type ImageEntry = z.infer<typeof ImageEntrySchema>;

export class DatasetContractError extends CoreError {}

/** Validates the contract's shape; a broken file is a bug of this checkout, said with the key that is wrong. */
export function parseDatasetContract(value: unknown): DatasetContract {
  const parsed = DatasetContractSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
    throw new DatasetContractError(`training/yolops_training/dataset_contract.json does not have the contract's shape: ${issues}`);
  }
  return parsed.data;
}

export const DATASET_CONTRACT: DatasetContract = parseDatasetContract(raw);

/** Every problem code, in the contract's order (the order reports list omitted counts in). */
export const PROBLEM_CODES = Object.keys(DATASET_CONTRACT.problems) as ProblemCode[];

export function defaultSeverity(code: ProblemCode): Severity {
  const entry = DATASET_CONTRACT.problems[code];
  if (!entry) throw new DatasetContractError(`the dataset contract has no problem code ${JSON.stringify(code)}`);
  return entry.severity;
}

/** Lowercase extensions (no dot) of the files Ultralytics trains on, with how the validator checks each. */
export const IMAGE_EXTENSIONS: ReadonlyMap<string, ImageEntry> = new Map(Object.entries(DATASET_CONTRACT.images));

/** `.bmp, .jpg, ...` for messages. */
export const ACCEPTED_EXTENSIONS_TEXT = [...IMAGE_EXTENSIONS.keys()].map((ext) => `.${ext}`).join(', ');

export const DATA_YAML_NAMES: readonly string[] = DATASET_CONTRACT.dataYaml.fileNames;
export const COORDINATE_TOLERANCE = DATASET_CONTRACT.tolerances.coordinate;
export const MIN_IMAGE_SIDE = DATASET_CONTRACT.tolerances.minImageSide;
export const IGNORED_LABEL_FILES: ReadonlySet<string> = new Set(DATASET_CONTRACT.ignoredLabelFiles);
export const SPLIT_KEYS: Record<SplitName, readonly string[]> = DATASET_CONTRACT.splitKeys;
export const CONVENTIONAL_FOLDERS: Record<SplitName, readonly string[]> = DATASET_CONTRACT.conventionalFolders;
