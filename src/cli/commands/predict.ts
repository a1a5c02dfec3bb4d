import { mkdir, readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { pythonEnvironment, REPO_ROOT } from '../../local/index.ts';
import type { CliContext } from '../context.ts';
import { CliError, EXIT } from '../errors.ts';
import { info, printJson } from '../output.ts';
import { annotatedPaths, annotateImages, type AnnotationRequest } from '../predict/annotate-images.ts';
import { imageContentType } from '../predict/image-content-type.ts';
import { DEFAULT_ENDPOINT, ENDPOINT_ENV, invokeEndpoint, resolveEndpoint } from '../predict/invoke-endpoint.ts';
import { renderPrediction } from '../predict/render-predictions.ts';

interface PredictOptions {
  endpoint?: string;
  conf?: number;
  json?: boolean;
  saveDir?: string;
}

function confidence(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError(`--conf must be a number from 0 to 1, got "${value}"`);
  return n;
}

export function registerPredictCommand(program: Command, ctx: CliContext): void {
  program
    .command('predict')
    .description('send images to an inference endpoint (`yolops serve`) and print its detections')
    .argument('<image...>', 'JPEG or PNG files')
    .option('--endpoint <url>', `the /invocations URL (default: ${ENDPOINT_ENV}, else ${DEFAULT_ENDPOINT})`)
    .option('--conf <x>', "minimum score of a detection, 0 to 1 (default: the server's, 0.25)", confidence)
    .option('--json', "print the server's answers as JSON, one per image with its file name")
    .option('--save-dir <dir>', 'also write each image as a PNG with its boxes drawn and labelled')
    .action(async (images: string[], options: PredictOptions) => {
      const endpoint = resolveEndpoint(options.endpoint);
      // Every file must be there before the first request: a typo should not leave half the images sent.
      for (const image of images) {
        const found = await stat(image).catch(() => undefined);
        if (!found?.isFile()) throw new CliError(`${image} is not a file: name JPEG or PNG images`);
      }
      const outputs = options.saveDir ? annotatedPaths(resolve(options.saveDir), images) : [];
      const answers: Record<string, unknown>[] = [];
      const annotations: AnnotationRequest[] = [];
      let failed = 0;
      for (const [i, image] of images.entries()) {
        const bytes = await readFile(image);
        const result = await invokeEndpoint(endpoint, bytes, imageContentType(image, bytes), options.conf);
        const output = outputs[i];
        if (result.ok) {
          const prediction = result.answer.predictions[0];
          if (output && prediction) annotations.push({ source: resolve(image), output, prediction });
          if (!options.json) process.stdout.write(`${renderPrediction(image, result.answer)}\n`);
        } else {
          failed++;
          process.stderr.write(`yolops: ${image}: the server refused it (${result.status}): ${result.reason}\n`);
        }
        answers.push({ file: image, status: result.status, answer: result.body, ...(result.ok && output ? { annotated: output } : {}) });
      }
      if (options.saveDir && annotations.length > 0) {
        const project = ctx.project();
        await mkdir(resolve(options.saveDir), { recursive: true });
        await annotateImages(pythonEnvironment(`${REPO_ROOT}/.venv`), project.trainingCodeDir, annotations);
        if (!options.json) info(`annotated ${annotations.length} image${annotations.length === 1 ? '' : 's'} into ${resolve(options.saveDir)}: ${annotations.map((a) => basename(a.output)).join(', ')}`);
      }
      if (options.json) printJson(answers);
      if (failed > 0) process.exitCode = EXIT.failed;
    });
}
