// The in-process baseline (bench/serving_inprocess.py), run with the project's Python in a process group of
// its own, its answer (the last line of its stdout) checked against the shapes below.
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { REPO_ROOT } from '../../src/local/layout.ts';
import { holdGroup, stopGroup } from './cleanup.ts';

const SCRIPT = join(REPO_ROOT, 'bench', 'serving_inprocess.py');

export const prepareAnswerSchema = z.object({
  images: z.object({ count: z.int().min(1), width: z.int(), height: z.int(), format: z.enum(['jpeg', 'png']), mean_bytes: z.int() }),
  model: z.object({
    weights: z.string(),
    archive: z.string(),
    architecture: z.string(),
    imgsz: z.int(),
    onnx: z.string().nullable(),
    onnx_skipped: z.string().optional(),
  }),
});
export type PrepareAnswer = z.output<typeof prepareAnswerSchema>;

export const measureAnswerSchema = z.object({
  runtime: z.enum(['torch', 'onnx']),
  weights: z.string(),
  imgsz: z.int(),
  images: z.int().min(1),
  warmup: z.int(),
  load_seconds: z.number(),
  /** Decode + predict, per image. */
  latencies_ms: z.array(z.number()).min(1),
  /** The predict call alone, per image. */
  predict_ms: z.array(z.number()).min(1),
  loop_seconds: z.number().positive(),
  detections: z.int(),
  rss_mb: z.number(),
  torch_threads: z.int(),
  omp_num_threads: z.string().nullable(),
});
export type MeasureAnswer = z.output<typeof measureAnswerSchema>;

/** Runs `python bench/serving_inprocess.py <args>`; its stderr (Ultralytics' log) is appended to `logFile`. */
export async function runInProcess<T>(python: string, args: readonly string[], env: NodeJS.ProcessEnv, logFile: string, schema: z.ZodType<T>): Promise<T> {
  const log = openSync(logFile, 'a');
  const child = spawn(python, [SCRIPT, ...args], { detached: true, stdio: ['ignore', 'pipe', log], env });
  closeSync(log);
  const pgid = child.pid;
  if (pgid === undefined) throw new Error(`cannot start ${python} ${SCRIPT}`);
  const release = holdGroup(pgid, () => stopGroup(pgid));
  const chunks: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  release();
  const stdout = Buffer.concat(chunks).toString('utf8');
  if (code !== 0) {
    const tail = readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
    throw new Error(`${SCRIPT} ${args[0] ?? ''} exited with ${code}; last lines of ${logFile}:\n${tail}`);
  }
  const last = stdout.trimEnd().split('\n').at(-1) ?? '';
  return schema.parse(JSON.parse(last));
}
