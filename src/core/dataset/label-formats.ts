import * as z from 'zod';
import raw from '../../../training/yolops_dataprep/label_formats.json' with { type: 'json' };
import { CoreError } from '../errors.ts';

/**
 * The labelled-data formats yolops converts into the dataset contract's YOLO layout, and the split rules: one
 * file, training/yolops_dataprep/label_formats.json, that the converter (Python, in the Preprocess step and
 * behind `yolops dataset convert`) reads too. The file sits under training/ because only that folder ships to
 * SageMaker.
 */
const formatSchema = z.strictObject({ title: z.string().min(1), description: z.string().min(1), converts: z.boolean() });
const labelFormatsSchema = z.strictObject({
  about: z.string(),
  schemaVersion: z.literal(1),
  defaultFormat: z.string().min(1),
  formats: z.record(z.string().regex(/^[a-z]+$/), formatSchema),
  split: z.strictObject({
    names: z.array(z.string().min(1)).min(2),
    defaultRatios: z.array(z.number().positive()).min(2),
    minRatios: z.int().min(2),
    maxRatios: z.int().min(2),
  }),
  report: z.strictObject({ file: z.string().min(1) }),
});

const parsed = labelFormatsSchema.safeParse(raw);
if (!parsed.success) throw new CoreError(`training/yolops_dataprep/label_formats.json does not have its shape: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
const file = parsed.data;
if (!(file.defaultFormat in file.formats)) throw new CoreError(`training/yolops_dataprep/label_formats.json: defaultFormat ${file.defaultFormat} is not one of its formats`);

/** The format names as the file lists them (the type follows the file). */
export type LabelFormat = keyof (typeof raw)['formats'];
export const LABEL_FORMATS = Object.keys(file.formats) as LabelFormat[];
/** A dataset already in YOLO layout: the Preprocess step validates it and converts nothing. */
export const DEFAULT_LABEL_FORMAT = file.defaultFormat as LabelFormat;
export const LABEL_FORMAT_INFO: Readonly<Record<LabelFormat, z.output<typeof formatSchema>>> = file.formats as Record<LabelFormat, z.output<typeof formatSchema>>;

export function isLabelFormat(value: string): value is LabelFormat {
  return Object.hasOwn(file.formats, value);
}

/** The split names in order (train, val, test) and the ratios a split uses when none is given. */
export const SPLIT_RULES = {
  names: file.split.names,
  defaultRatios: file.split.defaultRatios,
  minRatios: file.split.minRatios,
  maxRatios: file.split.maxRatios,
} as const;

/** The Preprocess step's report: its file name in the step's `report` output (preprocess.py writes it). */
export const PREPROCESS_REPORT_FILE = file.report.file;

/**
 * What is wrong with split ratios as a person writes them ("0.8,0.2" or "0.7,0.2,0.1"), or undefined: 2-3
 * positive numbers that add up to 1 (within 0.001), in the order of SPLIT_RULES.names.
 */
export function splitRatiosProblem(text: string): string | undefined {
  const parts = text.split(',').map((p) => p.trim());
  const ratios = parts.map(Number);
  if (parts.some((p) => p === '') || ratios.some((r) => !Number.isFinite(r) || r <= 0)) return `${JSON.stringify(text)} must be comma-separated positive numbers, e.g. "0.8,0.2" (train, val) or "0.7,0.2,0.1" (train, val, test)`;
  if (ratios.length < SPLIT_RULES.minRatios || ratios.length > SPLIT_RULES.maxRatios) return `${JSON.stringify(text)} has ${ratios.length} parts; give ${SPLIT_RULES.minRatios} (train, val) or ${SPLIT_RULES.maxRatios} (train, val, test)`;
  const sum = ratios.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) > 1e-3) return `${JSON.stringify(text)} adds up to ${Number(sum.toFixed(6))}; the parts must add up to 1`;
  return undefined;
}
