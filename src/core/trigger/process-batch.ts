import { createHash } from 'node:crypto';
import { forEachConcurrently } from '../dataset/concurrency.ts';
import { PREFIXES } from '../naming.ts';
import { putIfAbsent } from '../storage/object-store.ts';
import { datasetVersionOfKey, type DatasetVersionRef } from './dataset-version.ts';
import { badVersionNameMessage } from './notices.ts';
import { describeError, processDatasetVersion, type TriggerDeps, type VersionResult } from './process-version.ts';
import { parseTriggerMessage } from './trigger-messages.ts';
import { TRIGGER_PREFIXES } from './version-kind.ts';

/** One queue message (SQS's messageId and body). */
export interface QueueRecord {
  messageId: string;
  body: string;
}

export interface BatchOutcome {
  /** Message ids to deliver again (SQS partial batch response); each one's error is in the log. */
  failedMessageIds: string[];
  /** What came of each dataset version the batch pointed at. */
  versions: { root: string; messages: number; result?: VersionResult; error?: string }[];
  /** Messages that needed no work, with why (another bucket, not a version folder, a bad version name). */
  ignored: { messageId: string; reason: string }[];
}

/** Versions handled at once in one batch; each validation reads many files concurrently on its own. */
const VERSIONS_AT_ONCE = 4;

/**
 * Handles one batch of queue messages: every message is accounted for. Events for the same version are handled
 * once per batch (1,000 events of one upload cost one listing, not 1,000). A version whose handling fails marks
 * all its messages failed, so the queue redelivers them; after the queue's receive limit they move to the
 * dead-letter queue, whose alarm tells people. Nothing is dropped without a log line saying why.
 */
export async function processTriggerBatch(records: readonly QueueRecord[], deps: TriggerDeps, claimant: string): Promise<BatchOutcome> {
  const { log, settings } = deps;
  const outcome: BatchOutcome = { failedMessageIds: [], versions: [], ignored: [] };
  const groups = new Map<string, { ref: DatasetVersionRef; messageIds: string[]; eventKeys: string[] }>();
  const ignore = (messageId: string, reason: string, fields: Record<string, unknown> = {}): void => {
    outcome.ignored.push({ messageId, reason });
    log.warn(`ignored: ${reason}`, { messageId, ...fields });
  };

  for (const record of records) {
    const message = parseTriggerMessage(record.body);
    if (message.kind === 'unreadable') {
      log.error(`unreadable message: ${message.reason}`, { messageId: record.messageId, body: record.body.slice(0, 2_000) });
      outcome.failedMessageIds.push(record.messageId);
      continue;
    }
    if (message.bucket !== settings.trainingBucket) {
      ignore(record.messageId, `an event for bucket ${message.bucket}; this trigger serves ${settings.trainingBucket} (check the EventBridge rules)`);
      continue;
    }
    let ref: DatasetVersionRef;
    let eventKey: string | undefined;
    if (message.kind === 'recheck') {
      const lookup = datasetVersionOfKey(message.versionRoot, TRIGGER_PREFIXES);
      if (lookup.kind !== 'version' || lookup.ref.root !== message.versionRoot) {
        ignore(record.messageId, `a recheck for ${message.versionRoot}, which is not a dataset version folder`);
        continue;
      }
      ref = lookup.ref;
    } else {
      const lookup = datasetVersionOfKey(message.key, TRIGGER_PREFIXES);
      if (lookup.kind === 'outside') {
        ignore(record.messageId, lookup.reason, { key: message.key });
        continue;
      }
      if (lookup.kind === 'bad-name') {
        ignore(record.messageId, lookup.problem, { key: message.key });
        try {
          await noticeBadVersionName(deps, lookup.prefix, lookup.name, lookup.problem);
        } catch (error) {
          log.error('could not send the notice about a bad version name', { messageId: record.messageId, error: describeError(error) });
          outcome.failedMessageIds.push(record.messageId);
        }
        continue;
      }
      ref = lookup.ref;
      eventKey = message.key;
    }
    const group = groups.get(ref.root) ?? { ref, messageIds: [], eventKeys: [] };
    group.messageIds.push(record.messageId);
    if (eventKey !== undefined) group.eventKeys.push(eventKey);
    groups.set(ref.root, group);
  }

  await forEachConcurrently([...groups.values()], VERSIONS_AT_ONCE, async (group) => {
    // A recheck in the group means "look regardless of which objects the events named".
    const eventKeys = group.eventKeys.length === group.messageIds.length ? group.eventKeys : [];
    try {
      const result = await processDatasetVersion(deps, group.ref, eventKeys, claimant);
      outcome.versions.push({ root: group.ref.root, messages: group.messageIds.length, result });
      log.info(`${group.ref.root}: ${result.kind}`, { dataset: group.ref.root, messages: group.messageIds.length, ...result });
    } catch (error) {
      outcome.versions.push({ root: group.ref.root, messages: group.messageIds.length, error: describeError(error) });
      outcome.failedMessageIds.push(...group.messageIds);
      log.error(`${group.ref.root}: failed; its ${group.messageIds.length} messages will be delivered again`, { dataset: group.ref.root, error: describeError(error), stack: error instanceof Error ? error.stack : undefined });
    }
  });
  return outcome;
}

/** One message per bad folder name, however many objects were uploaded under it. */
async function noticeBadVersionName(deps: TriggerDeps, prefix: string, name: string, problem: string): Promise<void> {
  const bucket = deps.settings.trainingBucket;
  const notice = `${PREFIXES.trigger}notices/bad-version-name/${createHash('sha256').update(`${prefix}${name}`).digest('hex')}.json`;
  if (await putIfAbsent(deps.store, bucket, notice, JSON.stringify({ folder: `${prefix}${name}/`, problem, at: deps.now().toISOString() }), 'application/json')) {
    await deps.publisher.publish(badVersionNameMessage({ bucket, prefix, name, problem }));
  }
}
