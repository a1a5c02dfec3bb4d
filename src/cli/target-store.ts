import { loadCdkContext } from '../core/config/cdk-context.ts';
import { resourceNames, type ResourceNames } from '../core/naming.ts';
import { isObjectStoreError } from '../core/storage/errors.ts';
import type { ObjectStore } from '../core/storage/object-store.ts';
import { FolderObjectStore } from '../local/folder-object-store.ts';
import { localLayout } from '../local/layout.ts';
import type { CliContext } from './context.ts';
import { CliError } from './errors.ts';
import type { Target } from './target.ts';

/** The object store a command writes to on the chosen target, and what to say when a bucket is missing. */
export interface TargetStore {
  target: Target;
  store: ObjectStore;
  names: ResourceNames;
  /** Where the buckets are, for messages: the local folder, or the account and region. */
  where: string;
  /**
   * Makes sure the bucket can be written: the local backend creates its own buckets on first use (as every
   * local command does); on AWS the stacks create them, so a missing one is reported by `explainMissingBucket`.
   */
  prepareBucket(bucket: string): Promise<void>;
}

/** Opens the target's store: for `aws`, the session first, so missing credentials fail before any work. */
export async function openTargetStore(ctx: CliContext): Promise<TargetStore> {
  const target = ctx.target();
  const project = ctx.project();
  if (target === 'aws') {
    const session = await ctx.aws();
    return { target, store: session.store, names: session.names, where: `account ${session.context.aws_account_id}, region ${session.region}`, prepareBucket: async () => undefined };
  }
  const names = resourceNames(loadCdkContext(project.cdkJson));
  const root = localLayout(project.localRoot).buckets;
  const store = new FolderObjectStore({ root });
  const own = new Set<string>([names.trainingDataBucket, names.modelArtifactsBucket, names.mlflowArtifactsBucket]);
  return {
    target,
    store,
    names,
    where: `the local buckets folder ${root}`,
    prepareBucket: async (bucket) => {
      if (own.has(bucket)) await store.createBucket(bucket);
    },
  };
}

/**
 * A missing bucket as a person reads it: on AWS, the project's own bucket missing means the stacks are not
 * deployed to that account and region; any other bucket is a typo in the destination.
 */
export function explainMissingBucket(error: unknown, bucket: string, target: TargetStore): unknown {
  if (!isObjectStoreError(error, 'NoSuchBucket')) return error;
  if (target.target === 'aws' && bucket === target.names.trainingDataBucket) {
    return new CliError(
      `the training data bucket ${bucket} does not exist in ${target.where}: the stacks are not deployed there. ` +
        'Deploy them first (npx cdk deploy --all, see docs/aws-deploy.md), or check aws_account_id and aws_region in cdk.json',
      { cause: error },
    );
  }
  return new CliError(`bucket ${bucket} does not exist in ${target.where}: check the destination`, { cause: error });
}
