import type { ConfigProblem } from '../config/errors.ts';
import type { DatasetValidation } from '../dataset/index.ts';
import type { PublishedMessage } from './ports.ts';

/** Problems quoted in a message; the report in the bucket has all of them. */
export const PROBLEMS_IN_MESSAGE = 10;

/** Every message the trigger sends, by its `event` attribute (subscribers filter on it). */
export const TRIGGER_EVENTS = ['training.started', 'training.start-failed', 'dataset.invalid', 'config.invalid', 'dataset.bad-version-name'] as const;
export type TriggerEvent = (typeof TRIGGER_EVENTS)[number];

function message(event: TriggerEvent, subject: string, body: Record<string, unknown>): PublishedMessage {
  return { subject, body: { event, ...body }, attributes: { event } };
}

export function trainingStartedMessage(input: { datasetUri: string; executionArn: string; displayName: string; via: string; parameters: Readonly<Record<string, string>>; configUri?: string }): PublishedMessage {
  return message('training.started', `yolops: training started for ${input.datasetUri}`, {
    summary: `Training started for ${input.datasetUri} (${input.via}); execution ${input.displayName}. Another message follows when it ends.`,
    dataset: input.datasetUri,
    executionArn: input.executionArn,
    displayName: input.displayName,
    trainingConfig: input.configUri ?? 'none in the bucket: the deployed defaults',
    parameters: input.parameters,
  });
}

export function startFailedMessage(input: { datasetUri: string; error: string; retrying: boolean }): PublishedMessage {
  return message('training.start-failed', `yolops: could not start training for ${input.datasetUri}`, {
    summary: `StartPipelineExecution failed for ${input.datasetUri}: ${input.error}${input.retrying ? ' The trigger tries again.' : ''}`,
    dataset: input.datasetUri,
    error: input.error,
    retrying: input.retrying,
  });
}

export function datasetInvalidMessage(validation: DatasetValidation, reportUri: string): PublishedMessage {
  const errors = validation.problems.filter((p) => p.severity === 'error');
  const first = errors.slice(0, PROBLEMS_IN_MESSAGE).map((p) => ({ file: p.file, ...(p.line === undefined ? {} : { line: p.line }), code: p.code, message: p.message, fix: p.hint }));
  return message('dataset.invalid', `yolops: dataset ${validation.dataset.uri} is not valid (${validation.errors} errors)`, {
    summary: `No training was started: ${validation.dataset.uri} has ${validation.errors} errors and ${validation.warnings} warnings. Fix them and upload the changed files; a changed upload is checked again.`,
    dataset: validation.dataset.uri,
    errors: validation.errors,
    warnings: validation.warnings,
    firstProblems: first,
    ...(validation.errors > first.length ? { moreProblems: `${validation.errors - first.length} more errors in the report` } : {}),
    report: reportUri,
  });
}

/**
 * A labelled-data version whose format the trigger cannot tell: sent as `dataset.invalid`, like a dataset that
 * fails validation, so whoever subscribes to refused uploads hears of it too.
 */
export function labelledDataRefusedMessage(input: { datasetUri: string; problem: string; fix: string; reportUri: string }): PublishedMessage {
  return message('dataset.invalid', `yolops: ${input.datasetUri} is not a labelled export yolops can read`, {
    summary: `No training was started: ${input.datasetUri}: ${input.problem}. Fix it and upload the changed files; a changed upload is checked again.`,
    dataset: input.datasetUri,
    errors: 1,
    warnings: 0,
    firstProblems: [{ file: input.datasetUri, code: 'unknown-label-format', message: input.problem, fix: input.fix }],
    report: input.reportUri,
  });
}

export function configInvalidMessage(input: { datasetUri: string; configUri: string; problems: readonly ConfigProblem[] }): PublishedMessage {
  return message('config.invalid', `yolops: ${input.configUri} is not valid; no training started`, {
    summary: `No training was started for ${input.datasetUri}: ${input.configUri} has ${input.problems.length} problem(s). Fix the file (or delete it to train with the deployed defaults), then upload the dataset's data.yaml (a labelled export: its annotation file) again to start.`,
    dataset: input.datasetUri,
    config: input.configUri,
    problems: input.problems.map((p) => ({ key: p.key || '(top level)', message: p.message, found: p.value === undefined ? 'missing' : p.value })),
  });
}

export function badVersionNameMessage(input: { bucket: string; prefix: string; name: string; problem: string }): PublishedMessage {
  return message('dataset.bad-version-name', `yolops: ${input.prefix}${input.name}/ cannot be a dataset version`, {
    summary: `No training was started: s3://${input.bucket}/${input.prefix}${input.name}/ ${input.problem.replace(/^dataset version /, 'is named ')}. Upload the dataset to s3://${input.bucket}/${input.prefix}<version>/ with a version name of letters, digits, ".", "_" and "-".`,
    bucket: input.bucket,
    folder: `${input.prefix}${input.name}/`,
    problem: input.problem,
  });
}
