// The dataset contract's public API: validate a dataset version, tell whether an upload is complete, and
// generate a synthetic one. See docs/dataset-contract.md.
export { validateDataset, DEFAULT_MAX_PROBLEMS_PER_KIND, type ValidateOptions } from './validate-dataset.ts';
export { checkDatasetComplete, type DatasetCompleteness } from './completeness.ts';
export { formatValidation } from './format-validation.ts';
export { datasetLocationFromUri, findDataYamlKey, type DatasetLocation } from './load-dataset.ts';
export type { DatasetValidation, DatasetSummary, SplitSummary, ClassSummary } from './validation-result.ts';
export { PROBLEM_CODES, type DatasetProblem, type ProblemCode, type Severity, type OmittedProblems } from './problems.ts';
export { parseDataYaml, type DataYaml, type SplitName } from './data-yaml.ts';
export { parseLabelFile } from './label-file.ts';
export { inspectImage, type ImageInfo } from './image-header.ts';
export { DATASET_CONTRACT, IMAGE_EXTENSIONS, type DatasetContract, type ImageFormat } from './contract.ts';
export { synthesizeDataset, type SynthesizeOptions, type SynthesizedDataset } from './synth/synthesize.ts';
export { DEFAULT_CLASSES, type SynthClass, type ShapeKind } from './synth/shapes.ts';
