/**
 * The upload engine of `yolops dataset push` and `yolops code push`: reads local files and writes them through
 * the object-store port, so the local target (the folder per bucket) and the AWS target (S3) share it. What to
 * send is decided by the pure planning of src/core/transfer; this layer reads files and sends requests.
 */
export { DEFAULT_PUSH_CONCURRENCY, DEFAULT_PUSH_MEMORY_BYTES } from './defaults.ts';
export { pushDataset, ExtraObjectsError, type PushDatasetOptions, type PushDatasetResult, type PushProgress } from './push-dataset.ts';
export { detectFolderLabelFormat } from './local-label-format.ts';
export { pushFiles, type PushFilesResult, type PushFileSpec } from './push-files.ts';
export { TransferError } from './errors.ts';
export type { RequestCounts } from './counting-store.ts';
