import type { Command } from 'commander';
import { SageMakerLabelingJobs, startLabelingJob, type LabelingJob } from '../../aws/index.ts';
import { WORKTEAM_ARN } from '../../core/config/cdk-context.ts';
import { boundingBoxTaskFunctions } from '../../core/labeling/builtin-task-functions.ts';
import { parseImagesPrefix } from '../../core/labeling/images-prefix.ts';
import { assertLabelingJobName, defaultLabelingJobName } from '../../core/labeling/job-name.ts';
import { parseClassList } from '../../core/labeling/label-categories.ts';
import { LABELING_LIMITS } from '../../core/labeling/limits.ts';
import { planLabelingJob, type LabelingJobPlan } from '../../core/labeling/labeling-job-plan.ts';
import { labelingJobConsoleUrl } from '../../core/labeling/labeling-job-request.ts';
import { listAll } from '../../core/storage/object-store.ts';
import type { AwsSession } from '../aws-session.ts';
import type { CliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { integerOption } from '../options.ts';
import { printJson } from '../output.ts';

interface StartOptions {
  images: string;
  classes: string;
  workteam?: string;
  name?: string;
  title?: string;
  description?: string;
  instructions?: string;
  workersPerImage: number;
  taskTimeLimit: number;
  dryRun?: boolean;
  json?: boolean;
}

/** Seconds a worker has for one image by default: 10 minutes, room for a crowded image. */
const DEFAULT_TASK_TIME_LIMIT_SECONDS = 600;

export function registerLabelCommands(program: Command, ctx: CliContext): void {
  const label = program.command('label').description('label images with SageMaker Ground Truth (aws target): a completed job becomes a labelled-data version and starts a training');
  label
    .command('start')
    .description(
      'start a Ground Truth bounding-box labeling job on the images under s3://<training bucket>/raw-images/<batch>/: writes labeling/<job>/ ' +
        '(input manifest, label categories, worker template) and creates the job; when it completes, its labels are copied to labeled-data/<job>/ and a training starts',
    )
    .requiredOption('--images <s3-uri>', 'the batch to label: s3://<training bucket>/raw-images/<batch>/ (jpg, jpeg, png)')
    .requiredOption('--classes <names>', `the classes, comma-separated, in class-id order (1 to ${LABELING_LIMITS.maxLabelCategories}), e.g. car,person,bike`)
    .option('--workteam <arn>', 'the work team that labels (default: cdk.json labeling.workteam_arn)')
    .option('--name <job>', 'the job name: lowercase letters, digits and hyphens, starting with "<project>-" (default: <project>-<batch>-<UTC time>)')
    .option('--title <text>', `what workers see as the task title (at most ${LABELING_LIMITS.maxTitleLength} characters)`)
    .option('--description <text>', `the task description workers see in their list (at most ${LABELING_LIMITS.maxDescriptionLength} characters)`)
    .option('--instructions <text>', 'instructions shown next to the image (plain text)')
    .option('--workers-per-image <n>', `workers who label each image, their boxes consolidated (1 to ${LABELING_LIMITS.maxWorkersPerImage})`, integerOption('--workers-per-image', 1), 1)
    .option('--task-time-limit <seconds>', `time a worker has for one image (${LABELING_LIMITS.minTaskTimeLimitSeconds} to ${LABELING_LIMITS.maxTaskTimeLimitSeconds})`, integerOption('--task-time-limit', 1), DEFAULT_TASK_TIME_LIMIT_SECONDS)
    .option('--dry-run', 'check everything and print what would be written and sent, without writing or creating anything')
    .option('--json', 'print the job (or, with --dry-run, the plan with the CreateLabelingJob request) as JSON')
    .action(async (options: StartOptions) => {
      requireAwsTarget(ctx, 'label start');
      const classes = parseClassList(options.classes);
      checkRange('--workers-per-image', options.workersPerImage, 1, LABELING_LIMITS.maxWorkersPerImage);
      checkRange('--task-time-limit', options.taskTimeLimit, LABELING_LIMITS.minTaskTimeLimitSeconds, LABELING_LIMITS.maxTaskTimeLimitSeconds);
      const title = checkText('--title', options.title ?? `Draw boxes: ${classes.join(', ')}`.slice(0, LABELING_LIMITS.maxTitleLength), LABELING_LIMITS.maxTitleLength);
      const description = checkText('--description', options.description ?? `Draw a box around every ${classes.join(', ')} in the image`.slice(0, LABELING_LIMITS.maxDescriptionLength), LABELING_LIMITS.maxDescriptionLength);
      const session = await ctx.aws();
      const { context, names } = session;
      // Before anything is listed: a region without the built-in task can never run the job.
      boundingBoxTaskFunctions(context.aws_region);
      const images = parseImagesPrefix(options.images, names.trainingDataBucket);
      const job = assertLabelingJobName(options.name ?? defaultLabelingJobName(context.project_name, images.batch, new Date()), context.project_name);
      const workteamArn = workteam(session, options.workteam);
      const listed = await listAll(session.store, names.trainingDataBucket, images.prefix);
      const plan = planLabelingJob(context, images, listed, {
        job,
        classes,
        workteamArn,
        title,
        description,
        instructions: options.instructions,
        workersPerImage: options.workersPerImage,
        taskTimeLimitSeconds: options.taskTimeLimit,
      });
      if (options.dryRun) {
        if (options.json) return printJson({ dryRun: true, ...summary(plan, session), files: plan.files.map((f) => ({ uri: `s3://${plan.bucket}/${f.key}`, bytes: Buffer.byteLength(f.body) })), request: plan.request });
        process.stdout.write(`${lines(plan, session, 'would start').join('\n')}\nnothing was written or created (--dry-run)\n`);
        return;
      }
      const arn = await startLabelingJob(plan, session.store, new SageMakerLabelingJobs(session.sagemaker));
      if (options.json) return printJson({ ...summary(plan, session), arn });
      process.stdout.write(`${lines(plan, session, 'started').join('\n')}\n`);
    });

  label
    .command('status')
    .description('the state of a labeling job: status, how many images are labelled, where its output is')
    .argument('<job>', 'the job name yolops label start printed')
    .option('--json', 'print the job as JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      requireAwsTarget(ctx, 'label status');
      const session = await ctx.aws();
      const job = await new SageMakerLabelingJobs(session.sagemaker).describe(name);
      if (options.json) return printJson(job);
      process.stdout.write(`${statusLines(job, session).join('\n')}\n`);
    });
}

function requireAwsTarget(ctx: CliContext, command: string): void {
  if (ctx.target() !== 'aws') throw new CliError(`${command} runs SageMaker Ground Truth, which exists in AWS only: use --target aws (or YOLOPS_TARGET=aws)`);
}

function checkRange(flag: string, value: number, min: number, max: number): void {
  if (value < min || value > max) throw new CliError(`${flag} is ${value}: Ground Truth takes ${min} to ${max}`);
}

function checkText(flag: string, value: string, max: number): string {
  const text = value.trim();
  if (text === '' || text.length > max) throw new CliError(`${flag} must be 1 to ${max} characters (it has ${text.length})`);
  return text;
}

/** --workteam, else cdk.json's labeling.workteam_arn (validated with cdk.json); a flag is checked the same way. */
function workteam(session: AwsSession, flag: string | undefined): string {
  const { context } = session;
  const arn = flag ?? context.labeling?.workteam_arn;
  if (arn === undefined) {
    throw new CliError(
      'no work team: give --workteam arn:aws:sagemaker:<region>:<account>:workteam/private-crowd/<name>, or set it once in cdk.json as ' +
        '"labeling": {"workteam_arn": "..."} (SageMaker console > Ground Truth > Labeling workforces lists your teams)',
    );
  }
  const match = WORKTEAM_ARN.exec(arn);
  if (!match) throw new CliError(`--workteam ${arn} is not a SageMaker work team ARN: expected arn:aws:sagemaker:<region>:<account>:workteam/private-crowd/<name>`);
  if (match[2] !== context.aws_region || match[3] !== context.aws_account_id) {
    throw new CliError(`--workteam ${arn} is a work team of account ${match[3]} in ${match[2]}; the job runs in account ${context.aws_account_id} in ${context.aws_region}: use a team of that account and region`);
  }
  return arn;
}

function summary(plan: LabelingJobPlan, session: AwsSession) {
  return {
    job: plan.job,
    images: plan.images,
    otherFilesSkipped: plan.otherFiles,
    consoleUrl: labelingJobConsoleUrl(session.context.aws_region, plan.job),
    outputManifestUri: plan.outputManifestUri,
    versionUri: plan.versionUri,
  };
}

function lines(plan: LabelingJobPlan, session: AwsSession, verb: string): string[] {
  const s = summary(plan, session);
  return [
    `labeling job ${plan.job} ${verb}: ${plan.images} images${plan.otherFiles > 0 ? ` (${plan.otherFiles} other files under the prefix left out)` : ''}, ${plan.request.HumanTaskConfig.NumberOfHumanWorkersPerDataObject} worker(s) per image`,
    `console: ${s.consoleUrl}`,
    `labels:  ${s.outputManifestUri} (when the job completes)`,
    `then:    the labels and images are copied to ${s.versionUri}, which starts one training (format groundtruth)`,
    `status:  yolops --target aws label status ${plan.job}`,
  ];
}

function statusLines(job: LabelingJob, session: AwsSession): string[] {
  const c = job.counters;
  return [
    `labeling job ${job.name}: ${job.status}`,
    `labelled ${c.total} (${c.human} by people, ${c.machine} by machine), ${c.unlabeled} unlabelled, ${c.failed} failed`,
    ...(job.failureReason === undefined ? [] : [`failure: ${job.failureReason}`]),
    ...(job.outputManifestUri === undefined ? [] : [`output:  ${job.outputManifestUri}`]),
    `console: ${labelingJobConsoleUrl(session.context.aws_region, job.name)}`,
  ];
}
