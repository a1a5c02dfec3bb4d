import { CoreError } from '../errors.ts';
import { LABELING_LIMITS } from './limits.ts';

export class LabelCategoriesError extends CoreError {
  constructor(message: string) {
    super(message, { audience: 'user' });
  }
}

/**
 * The label category configuration file of a built-in task (CreateLabelingJob's LabelCategoryConfigS3Uri), in
 * Ground Truth's format: `{"document-version": "2018-11-28", "labels": [{"label": "a"}, ...]}`. The order of the
 * labels is the order of the class ids in the output manifest's class-map, hence of the YOLO classes.
 */
export interface LabelCategoryConfig {
  'document-version': '2018-11-28';
  labels: { label: string }[];
}

/**
 * The class names of `--classes a,b,c`: trimmed, in order, 1 to 50, unique, none empty, none over 256
 * characters (Ground Truth's quotas for a bounding-box job).
 */
export function parseClassList(text: string): string[] {
  const names = text.split(',').map((name) => name.trim());
  const empty = names.findIndex((name) => name === '');
  if (empty !== -1) throw new LabelCategoriesError(`--classes has an empty class name (position ${empty + 1} of "${text}"): give names separated by commas, e.g. --classes car,person,bike`);
  if (names.length > LABELING_LIMITS.maxLabelCategories) throw new LabelCategoriesError(`--classes has ${names.length} classes; a Ground Truth bounding-box job takes at most ${LABELING_LIMITS.maxLabelCategories}`);
  const long = names.find((name) => name.length > LABELING_LIMITS.maxLabelLength);
  if (long !== undefined) throw new LabelCategoriesError(`class name "${long.slice(0, 40)}..." is ${long.length} characters; Ground Truth takes at most ${LABELING_LIMITS.maxLabelLength}`);
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new LabelCategoriesError(`--classes names "${name}" twice: each class once, e.g. --classes ${[...new Set(names)].join(',')}`);
    seen.add(name);
  }
  return names;
}

export function labelCategoryConfig(classes: readonly string[]): LabelCategoryConfig {
  return { 'document-version': '2018-11-28', labels: classes.map((label) => ({ label })) };
}
