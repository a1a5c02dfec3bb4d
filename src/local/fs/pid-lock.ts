import { readFile, unlink } from 'node:fs/promises';
import { isErrnoCode } from './errno.ts';
import { createFileExclusive } from './exclusive-create.ts';

export interface PidLockOptions {
  /** @default 10000 */
  waitMs?: number;
  /** The error to throw when another live process holds the lock past `waitMs`. */
  busy: (lockPath: string, owner: number | undefined) => Error;
}

/**
 * Runs `fn` while holding `lockPath`: a file made exclusively, holding this process's pid. A lock whose owner
 * died (a Ctrl-C between create and unlink) is taken over, so a crash never blocks the next writer for good.
 */
export async function withPidLock<T>(lockPath: string, fn: () => Promise<T>, options: PidLockOptions): Promise<T> {
  const deadline = Date.now() + (options.waitMs ?? 10_000);
  while (!(await createFileExclusive(lockPath, String(process.pid)))) {
    const owner = await lockOwner(lockPath);
    if (owner !== undefined && owner !== process.pid && !processExists(owner)) {
      await unlink(lockPath).catch((error: unknown) => {
        if (!isErrnoCode(error, 'ENOENT')) throw error;
      });
      continue;
    }
    if (Date.now() > deadline) throw options.busy(lockPath, owner);
    await new Promise((r) => setTimeout(r, 25));
  }
  try {
    return await fn();
  } finally {
    await unlink(lockPath);
  }
}

/** The pid in a lock file; undefined when it cannot be read (gone meanwhile, or being written). */
async function lockOwner(lockPath: string): Promise<number | undefined> {
  const text = (await readFile(lockPath, 'utf8').catch(() => '')).trim();
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

/** True while a process with this pid exists (EPERM: it exists, owned by someone else). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return !isErrnoCode(error, 'ESRCH');
  }
}
