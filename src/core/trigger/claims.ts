import * as z from 'zod';
import { CoreError } from '../errors.ts';
import { PREFIXES } from '../naming.ts';
import { isObjectStoreError } from '../storage/errors.ts';
import { putIfAbsent, type ObjectStore } from '../storage/object-store.ts';
import type { DatasetVersionRef } from './dataset-version.ts';

/**
 * Durable claims on dataset version contents, in the training bucket under `triggers/claims/` (outside the
 * dataset prefixes, so writing them triggers nothing). A claim is created with a conditional write
 * (`If-None-Match: *`): of any number of trigger invocations that find the same content complete at once,
 * exactly one creates it and goes on; the others get 412 and stop. The claimant then records what came of it.
 */
export const claimOutcomeSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('started'), executionArn: z.string().min(1), at: z.string() }),
  z.strictObject({ kind: z.literal('invalid'), reportUri: z.string().min(1), errors: z.int().min(0), at: z.string() }),
  /** The start failed in a way a later attempt may get past (throttling, a service fault): retried. */
  z.strictObject({ kind: z.literal('start-failed'), error: z.string(), retryable: z.boolean(), at: z.string() }),
]);
export type ClaimOutcome = z.output<typeof claimOutcomeSchema>;

export const versionClaimSchema = z.strictObject({
  schemaVersion: z.literal(1),
  datasetUri: z.string().min(1),
  fingerprint: z.string().regex(/^[0-9a-f]{64}$/),
  objects: z.int().min(0),
  claimedAt: z.string(),
  /** The invocation that holds the claim (Lambda's request id). */
  claimant: z.string(),
  clientRequestToken: z.string().min(32).max(128),
  /** Earlier claimants that gave up or failed before this one resumed. */
  attempt: z.int().min(1),
  outcome: claimOutcomeSchema.optional(),
});
export type VersionClaim = z.output<typeof versionClaimSchema>;

export class CorruptClaimError extends CoreError {}

export function claimKey(ref: DatasetVersionRef, fingerprint: string): string {
  return `${PREFIXES.trigger}claims/${ref.root}${fingerprint}.json`;
}

/** The key whose creation lets one invocation resume a claim for its `attempt`-th try (the same conditional write). */
function resumeKey(ref: DatasetVersionRef, fingerprint: string, attempt: number): string {
  return `${PREFIXES.trigger}claims/${ref.root}${fingerprint}.attempt-${attempt}.json`;
}

export class VersionClaims {
  private readonly store: ObjectStore;
  private readonly bucket: string;

  constructor(store: ObjectStore, bucket: string) {
    this.store = store;
    this.bucket = bucket;
  }

  /** The claim on this content, validated; undefined when nobody claimed it. */
  async get(ref: DatasetVersionRef, fingerprint: string): Promise<VersionClaim | undefined> {
    const key = claimKey(ref, fingerprint);
    let bytes: Uint8Array;
    try {
      bytes = await this.store.get(this.bucket, key);
    } catch (error) {
      if (isObjectStoreError(error, 'NotFound')) return undefined;
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(bytes).toString('utf8'));
    } catch (error) {
      throw new CorruptClaimError(`s3://${this.bucket}/${key} is not JSON; delete it to let the trigger claim the version again`, { cause: error });
    }
    const parsed = versionClaimSchema.safeParse(json);
    if (!parsed.success) throw new CorruptClaimError(`s3://${this.bucket}/${key} is not a claim this trigger wrote (${parsed.error.issues[0]?.message ?? 'invalid'}); delete it to let the trigger claim the version again`);
    return parsed.data;
  }

  /** True when this call created the claim; false when someone else holds it. */
  async create(ref: DatasetVersionRef, claim: VersionClaim): Promise<boolean> {
    if (await this.putOnce(claimKey(ref, claim.fingerprint), claim)) return true;
    // A write that landed but whose answer was lost is retried by the SDK and then refused with 412: the claim
    // found is then our own.
    const found = await this.get(ref, claim.fingerprint);
    return found !== undefined && found.claimant === claim.claimant && found.claimedAt === claim.claimedAt;
  }

  /**
   * Takes over a claim whose holder failed or vanished, for attempt `claim.attempt + 1`: one conditional write
   * per attempt number, so two invocations that both see the failure cannot both resume it.
   */
  async resume(ref: DatasetVersionRef, claim: VersionClaim, claimant: string, now: Date): Promise<VersionClaim | undefined> {
    const next: VersionClaim = { ...claim, attempt: claim.attempt + 1, claimant, claimedAt: now.toISOString() };
    delete next.outcome;
    if (!(await this.putOnce(resumeKey(ref, claim.fingerprint, next.attempt), { resumedBy: claimant, at: next.claimedAt }))) return undefined;
    await this.write(ref, next);
    return next;
  }

  /** Records the outcome on the claim this invocation holds. */
  async recordOutcome(ref: DatasetVersionRef, claim: VersionClaim, outcome: ClaimOutcome): Promise<VersionClaim> {
    const next = { ...claim, outcome };
    await this.write(ref, next);
    return next;
  }

  private async write(ref: DatasetVersionRef, claim: VersionClaim): Promise<void> {
    await this.store.put(this.bucket, claimKey(ref, claim.fingerprint), `${JSON.stringify(claim, null, 2)}\n`, { contentType: 'application/json' });
  }

  private async putOnce(key: string, body: unknown): Promise<boolean> {
    return putIfAbsent(this.store, this.bucket, key, `${JSON.stringify(body, null, 2)}\n`, 'application/json');
  }
}

/**
 * Whether a claim someone else holds may be resumed: its start failed in a retryable way, or its holder wrote no
 * outcome within `staleAfterMs` (longer than the function's timeout, so the holder is certainly gone).
 */
export function claimIsResumable(claim: VersionClaim, now: number, staleAfterMs: number): boolean {
  if (claim.outcome) return claim.outcome.kind === 'start-failed' && claim.outcome.retryable;
  return now - Date.parse(claim.claimedAt) > staleAfterMs;
}
