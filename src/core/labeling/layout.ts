import { PREFIXES } from '../naming.ts';
import { UPLOAD_MARKER_NAME } from '../trigger/upload-marker.ts';

/**
 * Where one labeling job's files are in the training bucket. The CLI writes the job's inputs under
 * `labeling/<job>/`; Ground Truth writes its output there too (OutputConfig.S3OutputPath is `labeling/`, and it
 * adds `<job>/manifests/output/output.manifest`); the completion copies the result to `labeled-data/<job>/`, one
 * labelled-data version the S3 trigger converts with format `groundtruth`.
 */
export const LABEL_ATTRIBUTE_NAME = 'bounding-box';

export function labelingJobLayout(job: string) {
  const root = `${PREFIXES.labeling}${job}/`;
  const version = `${PREFIXES.labeledData}${job}/`;
  return {
    root,
    inputManifestKey: `${root}input.manifest`,
    categoriesKey: `${root}categories.json`,
    templateKey: `${root}template.liquid.html`,
    /** OutputConfig.S3OutputPath: the prefix Ground Truth writes `<job>/...` under. */
    outputPrefix: PREFIXES.labeling,
    /** Where Ground Truth puts the consolidated labels (DescribeLabelingJob's OutputDatasetS3Uri). */
    outputManifestKey: `${root}manifests/output/output.manifest`,
    /** The labelled-data version the completion writes. */
    versionRoot: version,
    versionManifestKey: `${version}output.manifest`,
    versionImagesRoot: `${version}images/`,
    versionMarkerKey: `${version}${UPLOAD_MARKER_NAME}`,
  } as const;
}

export type LabelingJobLayout = ReturnType<typeof labelingJobLayout>;
