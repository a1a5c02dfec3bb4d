import { spawn } from 'node:child_process';
import { basename, extname, join } from 'node:path';
import type { PythonEnvironment } from '../../local/index.ts';
import { CliError, EXIT } from '../errors.ts';
import type { ImagePrediction } from '../../core/serving/invocation-answer.ts';

export interface AnnotationRequest {
  source: string;
  output: string;
  prediction: ImagePrediction;
}

/**
 * `<dir>/<name>.png` per image, its name from the source file's; a name two sources share gets `-2`, `-3`, ...
 * so one image's drawing never replaces another's.
 */
export function annotatedPaths(dir: string, sources: readonly string[]): string[] {
  const taken = new Set<string>();
  return sources.map((source) => {
    const stem = basename(source, extname(source)) || 'image';
    let name = `${stem}.png`;
    for (let n = 2; taken.has(name); n++) name = `${stem}-${n}.png`;
    taken.add(name);
    return join(dir, name);
  });
}

/**
 * Draws the boxes with Pillow in the project's Python (training/yolops_serving/annotate.py): the server's
 * environment has it already, and the CLI stays free of native image libraries. One process for all images.
 */
export async function annotateImages(python: PythonEnvironment, trainingDir: string, requests: readonly AnnotationRequest[]): Promise<void> {
  if (requests.length === 0) return;
  const child = spawn(python.python, ['-m', 'yolops_serving.annotate'], { cwd: trainingDir, stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  child.stdin.end(JSON.stringify({ images: requests }));
  let code: number | null;
  try {
    code = await done;
  } catch (error) {
    throw new CliError(`cannot run ${python.python} to draw the boxes: ${(error as Error).message}`, { cause: error, exitCode: EXIT.failed });
  }
  if (code !== 0) {
    const line = stderr.trim().split('\n').at(-1) ?? '';
    throw new CliError(`drawing the boxes failed (exit ${code}): ${line.replace(/^annotate: /, '')}`, { exitCode: EXIT.failed });
  }
}
