import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadTrainingConfig } from '../../core/config/training-config.ts';
import { PREFIXES, resourceNames } from '../../core/naming.ts';
import { formatS3Uri } from '../../core/storage/s3-uri.ts';
import { buildCodeBundle } from '../../local/index.ts';
import { pushFiles } from '../../transfer/index.ts';
import { resolveCodeVersion } from '../code-version.ts';
import { CliError } from '../errors.ts';
import { intervalOption } from '../options.ts';
import { info, printJson } from '../output.ts';
import { loadProjectConfig } from '../project.ts';
import { ensureInferenceImage, imageReportLines, type InferenceImageReport } from '../inference-image-build.ts';
import { explainMissingBucket, openTargetStore } from '../target-store.ts';
import type { CliContext } from '../context.ts';

/** A build installs torch and takes minutes: polling more often than this only costs requests. */
const DEFAULT_IMAGE_POLL_SECONDS = 15;

export function registerCodeCommands(program: Command, ctx: CliContext): void {
  const project = ctx.project;
  const code = program.command('code').description('the training code the pipeline runs (training/)');
  code
    .command('bundle')
    .description('pack training/ as SageMaker script mode takes it (sourcedir.tar.gz + processing_entrypoint.sh) into <dir>, named by its content version')
    .argument('<dir>', 'an empty or new directory')
    .option('--json', 'print version and files as JSON')
    .action(async (dir: string, options: { json?: boolean }) => {
      const target = resolve(dir);
      if (existsSync(target) && readdirSync(target).length > 0) throw new CliError(`${target} is not empty: choose a new directory`);
      const p = project();
      const bundle = await buildCodeBundle(p.trainingCodeDir, target);
      const bucket = resourceNames(loadProjectConfig(p).context).trainingDataBucket;
      const codeUri = `s3://${bucket}/code/${bundle.version}/`;
      if (options.json) return printJson({ ...bundle, codeUri });
      process.stdout.write(
        `code version ${bundle.version} (${bundle.files.length} files) in ${target}\n` +
          `upload:  aws s3 cp --recursive ${target} ${codeUri}\n` +
          `then start executions with  Name=CodeUri,Value=${codeUri} Name=CodeVersion,Value=${bundle.version}\n`,
      );
    });

  code
    .command('push')
    .description(
      `pack training/ and upload sourcedir.tar.gz and processing_entrypoint.sh to ${PREFIXES.code}<version>/ of the training data bucket ` +
        `(version: the git commit when training/ is committed as it is, else the bundle's content hash), and training-config.json, validated, ` +
        `to ${PREFIXES.trainingConfigKey}; files already there with the same bytes are skipped. ` +
        'aws: then starts the CodeBuild build of the inference image <repository>:<version> when ECR does not have it yet',
    )
    .option('--json', 'print { codeVersion, codeUri, source, uploaded, skipped, configUri, image } as JSON')
    .option('--no-image', 'aws: do not start the inference image build')
    .option('--wait', 'aws: wait for the image build to end (exit 1 when it fails, with its phase and reason)')
    .option('--interval <seconds>', 'with --wait: time between two polls', intervalOption, DEFAULT_IMAGE_POLL_SECONDS)
    .action(async (options: { json?: boolean; image: boolean; wait?: boolean; interval: number }) => {
      const p = project();
      // Checked before anything is built or sent: a config the trigger would refuse is not published.
      loadTrainingConfig(p.trainingConfigJson);
      if (options.wait && !options.image) throw new CliError('--wait waits for the inference image build, which --no-image skips: give one of them');
      if (options.wait && ctx.target() !== 'aws') throw new CliError('--wait waits for the inference image build, which runs in AWS: use it with --target aws');
      const target = await openTargetStore(ctx);
      const bucket = target.names.trainingDataBucket;
      const { version, source } = await resolveCodeVersion(p.trainingCodeDir);
      const scratch = await mkdtemp(join(tmpdir(), 'yolops-code-push-'));
      try {
        const bundle = await buildCodeBundle(p.trainingCodeDir, scratch);
        const prefix = `${PREFIXES.code}${version}/`;
        const files = [
          { path: bundle.sourcedir, key: `${prefix}${basename(bundle.sourcedir)}` },
          { path: bundle.entrypoint, key: `${prefix}${basename(bundle.entrypoint)}` },
          { path: p.trainingConfigJson, key: PREFIXES.trainingConfigKey },
        ];
        let pushed;
        try {
          await target.prepareBucket(bucket);
          pushed = await pushFiles({ store: target.store, bucket, files });
        } catch (error) {
          throw explainMissingBucket(error, bucket, target);
        }
        const codeUri = formatS3Uri(bucket, prefix);
        const configUri = formatS3Uri(bucket, PREFIXES.trainingConfigKey);
        const uploaded = pushed.uploaded.map((key) => formatS3Uri(bucket, key));
        const skipped = pushed.unchanged.map((key) => formatS3Uri(bucket, key));
        const from = source === 'git' ? 'the git commit of training/' : "the bundle's content hash (training/ has uncommitted changes, or is not in git)";
        const pushedLines =
          `CodeVersion: ${version} (${from})\nCodeUri:     ${codeUri}\nconfig:      ${configUri}\n` +
          `${uploaded.length} uploaded, ${skipped.length} already there unchanged (${pushed.requests.total} requests, ${target.target} target)\n`;
        // The push is complete before the image is looked at, so a failing build never undoes it; say so first.
        if (!options.json) process.stdout.write(pushedLines);
        let image: InferenceImageReport | undefined;
        if (target.target === 'aws' && options.image) {
          image = await ensureInferenceImage(await ctx.aws(), version, {
            wait: options.wait === true,
            intervalMs: options.interval * 1000,
            progress: options.json ? info : (line) => process.stdout.write(`${line}\n`),
          });
        }
        if (options.json) return printJson({ codeVersion: version, codeUri, source, uploaded, skipped, configUri, target: target.target, requests: pushed.requests.total, image: image ?? null });
        if (image) process.stdout.write(`${imageReportLines(image).join('\n')}\n`);
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    });
}

