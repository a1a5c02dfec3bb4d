import { YolopsError } from '../../core/errors.ts';
import { resourceNames } from '../../core/naming.ts';
import type { ModelRegistry } from '../../core/registry/model-registry.ts';
import type { ObjectStore } from '../../core/storage/object-store.ts';
import { FolderObjectStore } from '../../local/folder-object-store.ts';
import { localLayout, LocalModelRegistry } from '../../local/index.ts';
import type { CliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { loadProjectConfig } from '../project.ts';
import type { Target } from '../target.ts';

/** The registry of the target, the store its artifacts and evaluation reports live in, and the group yolops registers to. */
export interface RegistryAccess {
  target: Target;
  registry: ModelRegistry;
  store: ObjectStore;
  group: string;
}

/**
 * Local: `registry/` and the bucket folders under the local root. AWS: the SageMaker Model Registry, reading each
 * version's metrics from its evaluation report in S3, as the local registry records them.
 */
export async function openModelRegistry(ctx: CliContext): Promise<RegistryAccess> {
  const target = ctx.target();
  if (target === 'aws') {
    const session = await ctx.aws();
    return { target, registry: session.registry, store: session.store, group: session.names.modelPackageGroup };
  }
  const project = ctx.project();
  const layout = localLayout(project.localRoot);
  return {
    target,
    registry: new LocalModelRegistry(layout.registry),
    store: new FolderObjectStore({ root: layout.buckets }),
    group: resourceNames(loadProjectConfig(project).context).modelPackageGroup,
  };
}

/**
 * Runs a registry call; a version that does not exist becomes one line that names the group, the target and the
 * way to see the versions there are (both registries throw an error with code NotFound).
 */
export async function withVersion<T>(access: RegistryAccess, version: number, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof YolopsError && 'code' in error && error.code === 'NotFound') {
      const list = access.target === 'aws' ? 'yolops models list --target aws' : 'yolops models list';
      throw new CliError(`model ${access.group} version ${version} does not exist in the ${access.target === 'aws' ? 'SageMaker Model Registry' : 'local registry'}: ${list} shows the versions there are`, { cause: error });
    }
    throw error;
  }
}
