import { mkdir, readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { pythonEnvironment, REPO_ROOT } from '../../local/index.ts';
import { sageMakerRuntimeConnection } from '../aws-session.ts';
import type { CliContext } from '../context.ts';
import { CliError, EXIT } from '../errors.ts';
import { info, printJson } from '../output.ts';
import { annotatedPaths, annotateImages, type AnnotationRequest } from '../predict/annotate-images.ts';
import { imageContentType } from '../predict/image-content-type.ts';
import { DEFAULT_ENDPOINT, ENDPOINT_ENV, invokeEndpoint, resolveEndpoint } from '../predict/invoke-endpoint.ts';
import type { InvocationResult } from '../predict/invocation-result.ts';
import { invokeSageMakerEndpoint } from '../predict/invoke-sagemaker-endpoint.ts';
import { stageOption } from '../models/local-stages.ts';
import { createSageMakerRuntimeClient } from '../../aws/index.ts';
import { stageEndpointName, type DeployStage } from '../../core/deploy/deploy-stage.ts';
import { renderPrediction } from '../predict/render-predictions.ts';

interface PredictOptions {
  endpoint?: string;
  stage?: DeployStage;
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
    .description('send images to an inference endpoint (`yolops serve`, or with --target aws a SageMaker endpoint) and print its detections')
    .argument('<image...>', 'JPEG or PNG files')
    .option('--endpoint <url>', `the /invocations URL (default: ${ENDPOINT_ENV}, else ${DEFAULT_ENDPOINT})`)
    .option('--stage <stage>', 'with --target aws: the SageMaker endpoint of this stage, staging or production (default: production)', stageOption)
    .option('--conf <x>', "minimum score of a detection, 0 to 1 (default: the server's, 0.25)", confidence)
    .option('--json', "print the server's answers as JSON, one per image with its file name")
    .option('--save-dir <dir>', 'also write each image as a PNG with its boxes drawn and labelled')
    .action(async (images: string[], options: PredictOptions) => {
      const invoke = await chooseInvoker(ctx, options);
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
        const result = await invoke(bytes, imageContentType(image, bytes), options.conf);
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

type Invoke = (image: Uint8Array, contentType: string, conf?: number) => Promise<InvocationResult>;

/** Locally an HTTP endpoint (`yolops serve`); with --target aws, a stage's SageMaker endpoint through SageMaker Runtime. */
async function chooseInvoker(ctx: CliContext, options: PredictOptions): Promise<Invoke> {
  if (ctx.target() !== 'aws') {
    if (options.stage !== undefined) throw new CliError('--stage names a SageMaker endpoint: use it with --target aws (locally, `yolops serve --stage <stage>` prints the URL to give --endpoint)');
    const endpoint = resolveEndpoint(options.endpoint);
    return (image, contentType, conf) => invokeEndpoint(endpoint, image, contentType, conf);
  }
  if (options.endpoint !== undefined) throw new CliError('--endpoint is a URL of a local server: with --target aws name the endpoint by its stage (--stage staging|production)');
  const session = await ctx.aws();
  const name = stageEndpointName(session.names, options.stage ?? 'production');
  const client = createSageMakerRuntimeClient(sageMakerRuntimeConnection(session));
  return (image, contentType, conf) => invokeSageMakerEndpoint(client, name, image, contentType, conf);
}
