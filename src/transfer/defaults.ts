/**
 * Files read and sent at once by default, as many as the S3 client keeps sockets (S3_MAX_SOCKETS).
 * bench/dataset-push.ts, 10,033 files to moto behind 20 ms of added latency per request on a loaded 2-core
 * machine: 16 in flight 71 s, 32 in flight 58 s, 64 in flight 51 s (moto's own request rate bounds all three).
 */
export const DEFAULT_PUSH_CONCURRENCY = 64;

/** Bytes of file content held in memory at once by default (a larger file is sent alone). */
export const DEFAULT_PUSH_MEMORY_BYTES = 64 * 1024 * 1024;
