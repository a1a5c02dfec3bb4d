/**
 * The pipeline parameters that name an execution's input rather than a training setting: what the S3 trigger,
 * the local watcher and the CLI pass when they start an execution. (The settings training-config.json holds are
 * in config-parameters.ts.)
 */
export const INPUT_PARAMETERS = {
  /** `s3://<training bucket>/<prefix>/<version>/`: a YOLO dataset, or a labelled export under labeled-data/. */
  dataUri: 'InputDataUri',
  /** The format of InputDataUri (label-formats.ts): `yolo` is validated and converted by nothing; any other is converted and split. */
  format: 'InputFormat',
} as const;
