import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCodeBundle } from '../local/index.ts';

export interface CodeVersion {
  /** The `<version>` of `code/<version>/` and the CodeVersion parameter. */
  version: string;
  /** `git`: the commit, because training/ has no uncommitted change; `content`: the bundle's content hash. */
  source: 'git' | 'content';
}

/**
 * The version `yolops code push` publishes training/ under, and the default of `pipeline upsert`: the git commit
 * when training/ is committed as it is (so a run names the commit people can check out), the bundle's content hash
 * otherwise (so uncommitted code never borrows a commit's name).
 */
export async function resolveCodeVersion(trainingDir: string): Promise<CodeVersion> {
  const git = (...args: string[]): string | undefined => {
    const result = spawnSync('git', ['-C', trainingDir, ...args], { encoding: 'utf8' });
    return result.status === 0 ? result.stdout.trim() : undefined;
  };
  const commit = git('rev-parse', 'HEAD');
  const changes = commit === undefined ? undefined : git('status', '--porcelain', '--untracked-files=all', '--', '.');
  if (commit !== undefined && changes === '') return { version: commit, source: 'git' };
  const scratch = await mkdtemp(join(tmpdir(), 'yolops-code-version-'));
  try {
    return { version: (await buildCodeBundle(trainingDir, scratch)).version, source: 'content' };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
