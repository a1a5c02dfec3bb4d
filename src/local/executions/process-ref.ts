import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { LocalError } from '../errors.ts';
import { isErrnoCode } from '../fs/errno.ts';

/**
 * A process named in a record (the runner, a job's process group, an MLflow server): its pid and, where the
 * system tells, an identity that changes when the pid is reused or the machine restarts. A pid alone would
 * make a record written before a reboot look alive whenever some other process got the same number.
 */
export const processRefSchema = z.object({
  pid: z.number().int().positive(),
  /** `<boot id>/<start time in clock ticks>` on Linux; absent where /proc does not exist. */
  identity: z.string().min(1).optional(),
});
export type ProcessRef = z.infer<typeof processRefSchema>;

/** The identity of a live process, or undefined when the system does not expose one (or the process is gone). */
export function processIdentity(pid: number): string | undefined {
  try {
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces and parentheses) start after its last ')'; start time is field 22.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const startTicks = fields[19];
    return bootId && startTicks ? `${bootId}/${startTicks}` : undefined;
  } catch (error) {
    if (isErrnoCode(error, 'ENOENT', 'EACCES', 'ENOTDIR')) return undefined;
    throw error;
  }
}

export function processRef(pid: number = process.pid): ProcessRef {
  const identity = processIdentity(pid);
  return identity ? { pid, identity } : { pid };
}

/** True when the process the ref names is still running (same pid and, where recorded, the same identity). */
export function isProcessAlive(ref: ProcessRef): boolean {
  try {
    process.kill(ref.pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    if (!isErrnoCode(error, 'EPERM')) return false;
  }
  if (ref.identity === undefined) return true;
  const now = processIdentity(ref.pid);
  return now === undefined || now === ref.identity;
}

function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if (isErrnoCode(error, 'ESRCH')) return false;
    throw error;
  }
}

/**
 * Stops a process group a dead runner left behind (a job it started, its MLflow server): SIGTERM, then SIGKILL
 * after `graceMs`. Only when the group leader is still the process the ref names, so a reused pid is never hit.
 * Resolves once the group is gone.
 */
export async function stopLeftoverGroup(ref: ProcessRef, graceMs = 5_000): Promise<boolean> {
  if (!isProcessAlive(ref)) return false;
  if (!signalGroup(ref.pid, 'SIGTERM')) return false;
  const gone = async (ms: number): Promise<boolean> => {
    const deadline = Date.now() + ms;
    for (;;) {
      if (!signalGroup(ref.pid, 0)) return true;
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  if (await gone(graceMs)) return true;
  signalGroup(ref.pid, 'SIGKILL');
  if (!(await gone(5_000))) throw new LocalError(`process group ${ref.pid} is still alive after SIGKILL`);
  return true;
}
