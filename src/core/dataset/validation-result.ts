import type { SplitName } from './data-yaml.ts';
import type { DatasetProblem, OmittedProblems } from './problems.ts';

/** What one split holds, after validation. */
export interface SplitSummary {
  split: SplitName;
  /** The data.yaml key it was declared under (`val`, `valid`, ...). */
  key: string;
  /** Its folder paths as data.yaml writes them. */
  paths: string[];
  /** The images folders they resolved to (full key prefixes); fewer than `paths` when some are missing. */
  imageDirs: string[];
  images: number;
  /** Label files that belong to an image of the split. */
  labelFiles: number;
  /** Images without a label file or with an empty one: allowed, they teach the model what is not an object. */
  backgroundImages: number;
  /** Valid objects; a polygon counts as the box detection training makes of it. */
  boxes: number;
  /** How many of `boxes` were written as segmentation polygons. */
  polygons: number;
}

export interface ClassSummary {
  id: number;
  name: string;
  boxes: number;
  boxesPerSplit: Partial<Record<SplitName, number>>;
}

export interface DatasetSummary {
  splits: SplitSummary[];
  /** Every class of data.yaml in id order, with its box counts (0 for a class no label uses). */
  classes: ClassSummary[];
  totals: { images: number; labelFiles: number; backgroundImages: number; boxes: number };
  /** Images whose headers were read and checked (all of them unless checking was turned off). */
  imagesInspected: number;
}

/** The validator's answer: serializable as is, for `--json`. */
export interface DatasetValidation {
  schemaVersion: 1;
  dataset: {
    bucket: string;
    /** `''` or ending with `/`. */
    prefix: string;
    uri: string;
    dataYaml: string;
  };
  /** True when there is no error (warnings allowed): the pipeline may train on it. */
  valid: boolean;
  /** All errors and warnings found, including those left out of `problems`. */
  errors: number;
  warnings: number;
  /** The problems, ordered by file and line; at most the per-kind limit of each code. */
  problems: DatasetProblem[];
  /** Per code, how many problems were found beyond the limit and left out. */
  omitted: OmittedProblems[];
  summary: DatasetSummary;
}
