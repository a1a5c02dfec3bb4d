/**
 * Files read and sent at once by default. bench/dataset-push.ts measured 8 to 64 against moto with 20 ms of
 * added latency per request (S3's first-byte latency): see its header for the figures.
 */
export const DEFAULT_PUSH_CONCURRENCY = 32;

/** Bytes of file content held in memory at once by default (a larger file is sent alone). */
export const DEFAULT_PUSH_MEMORY_BYTES = 64 * 1024 * 1024;
