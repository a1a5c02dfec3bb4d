import * as z from 'zod';
import { CoreError } from '../errors.ts';

/**
 * The dataset statistics report (schemaVersion 1) that training/yolops_dataprep/stats.py writes: the figures
 * exist once, in Python, because the training job computes them too (and logs them to its MLflow run). The CLI
 * reads the file back and checks it against this schema before printing anything from it, so a Python that
 * writes another shape fails with the field that differs rather than with a table of `undefined`.
 */
const count = z.int().nonnegative();
const fraction = z.number().min(0).max(1);

const quantilesSchema = z.strictObject({ p0: z.number(), p5: z.number(), p25: z.number(), p50: z.number(), p75: z.number(), p95: z.number(), p100: z.number() });
/** A box side as a fraction of its image's side: quantiles (null without boxes) and counts per bin of 0..1. */
const boxSideSchema = z.strictObject({ quantiles: quantilesSchema.nullable(), histogram: z.array(count) });
const rangeSchema = z.strictObject({ min: z.number(), median: z.number(), max: z.number() }).nullable();

const splitStatsSchema = z.strictObject({
  images: count,
  /** Images without a box: no label file, an empty one, or only lines the contract refuses. */
  backgroundImages: count,
  boxes: count,
  /** Label lines not counted as boxes because the dataset contract refuses them (`yolops dataset validate` says why). */
  skippedLabelLines: count,
  classes: z.array(z.strictObject({ id: count, name: z.string(), images: count, boxes: count })),
  boxesPerImage: z.strictObject({
    mean: z.number().nullable(),
    median: z.number().nullable(),
    max: count.nullable(),
    /** Only the box counts that occur, ascending; `boxes: 0` is the background images. */
    histogram: z.array(z.strictObject({ boxes: count, images: count })),
  }),
  boxSizes: z.strictObject({
    width: boxSideSchema,
    height: boxSideSchema,
    /** COCO's small / medium / large at the training image size (see `boxSizeBuckets`). */
    buckets: z.strictObject({ small: count, medium: count, large: count }),
  }),
  imageSizes: z.strictObject({
    width: rangeSchema,
    height: rangeSchema,
    distinct: count,
    /** The most common sizes, most images first. */
    common: z.array(z.strictObject({ width: count, height: count, images: count })),
    /** Images whose header Pillow could not read (their boxes count, the image taken as square). */
    unreadable: count,
  }),
});

export const datasetStatsSchema = z.strictObject({
  schemaVersion: z.literal(1),
  /** data.yaml relative to the folder given. */
  dataYaml: z.string(),
  classes: z.array(z.string()),
  boxSizeBuckets: z.strictObject({
    /** The box areas are measured in the image resized so its longer side is imgsz, as Ultralytics trains. */
    imgsz: z.int().positive(),
    /** small: area < smallMaxArea px²; medium: < mediumMaxArea; large: the rest (COCO's 32² and 96²). */
    smallMaxArea: z.number().positive(),
    mediumMaxArea: z.number().positive(),
    histogramBins: z.int().positive(),
  }),
  splits: z.record(z.string(), splitStatsSchema),
  total: splitStatsSchema,
  classBalance: z.strictObject({
    /** The most boxes of a class over the fewest; null when a class has none. */
    maxToMinBoxes: z.number().nullable(),
    boxShare: z.array(fraction),
    withoutBoxes: z.array(z.string()),
  }),
  /** Errors of the dataset contract met while reading (bad label lines, a label without image, ...). */
  problems: count,
});

export type DatasetStats = z.output<typeof datasetStatsSchema>;
export type SplitStats = z.output<typeof splitStatsSchema>;

/** The report in `text` (the JSON file's content), checked; `where` names the file in the error. */
export function parseDatasetStats(text: string, where: string): DatasetStats {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CoreError(`${where} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = datasetStatsSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new CoreError(`${where} is not a dataset statistics report of schemaVersion 1: ${issues.join('; ')}`);
  }
  return parsed.data;
}
