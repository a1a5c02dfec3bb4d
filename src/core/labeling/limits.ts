/**
 * Ground Truth's quotas for a bounding-box labeling job created with CreateLabelingJob (SageMaker developer guide,
 * "Input Data Quotas" and "Supported Data Formats"), checked before a job is created so that a refusal is one line
 * naming the fix rather than a job that fails later.
 */
export const LABELING_LIMITS = {
  /** Dataset objects (input manifest lines) per job; more needs a quota increase. */
  maxDatasetObjects: 100_000,
  /** Bytes of one input image. */
  maxImageBytes: 40 * 1024 * 1024,
  /** Label categories of a bounding-box job created through the API. */
  maxLabelCategories: 50,
  /** Characters of one label category name. */
  maxLabelLength: 256,
  /** Workers per image (NumberOfHumanWorkersPerDataObject). */
  maxWorkersPerImage: 9,
  /** Seconds a worker has for one image task of a built-in image task type (TaskTimeLimitInSeconds). */
  minTaskTimeLimitSeconds: 30,
  maxTaskTimeLimitSeconds: 28_800,
  /** TaskTitle and TaskDescription lengths of the API. */
  maxTitleLength: 128,
  maxDescriptionLength: 255,
} as const;

/**
 * The image extensions the bounding-box worker UI shows (jpg, jpeg, png). The dataset contract accepts more
 * (webp, tiff, ...); those can be trained on but not labelled with the built-in task.
 */
export const LABELING_IMAGE_EXTENSIONS: readonly string[] = ['jpg', 'jpeg', 'png'];
