// Memory of the inference server's processes, found from its process group in /proc (Linux only).
//
// RSS counts every page a process has resident, shared ones included (the Python interpreter, torch's libraries),
// so summing RSS over workers overstates what they take together. PSS (from /proc/<pid>/smaps_rollup) splits each
// shared page between the processes sharing it; the sum of PSS is what the group really holds.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessMemory {
  pid: number;
  ppid: number;
  /** 'server' (uvicorn serving in its own process: one worker), 'supervisor', 'worker' or 'resource tracker'. */
  role: string;
  rssMb: number;
  /** Undefined when smaps_rollup cannot be read (another user's process, an old kernel). */
  pssMb: number | undefined;
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process ended between the listing and the read, or the file is not ours to read
  }
}

/** The kB value of a `Name:   1234 kB` line, in MB. */
function kbField(text: string | undefined, name: string): number | undefined {
  const match = text?.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'));
  return match ? Number(match[1]) / 1024 : undefined;
}

/** pid, ppid and pgrp from /proc/<pid>/stat; the command name in parentheses may itself hold spaces and ')'. */
function statOf(pid: number): { ppid: number; pgrp: number } | undefined {
  const stat = readOrUndefined(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(fields[1]), pgrp: Number(fields[2]) };
}

function roleOf(pid: number, pgid: number, processes: number): string {
  if (processes === 1) return 'server';
  if (pid === pgid) return 'supervisor';
  const cmdline = (readOrUndefined(`/proc/${pid}/cmdline`) ?? '').replaceAll('\0', ' ');
  return cmdline.includes('resource_tracker') ? 'resource tracker' : 'worker';
}

/** Every live process of the group, the leader first. */
export function groupMemory(pgid: number): ProcessMemory[] {
  const members: { pid: number; ppid: number }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const stat = statOf(pid);
    if (stat?.pgrp === pgid) members.push({ pid, ppid: stat.ppid });
  }
  members.sort((a, b) => (a.pid === pgid ? -1 : b.pid === pgid ? 1 : a.pid - b.pid));
  const result: ProcessMemory[] = [];
  for (const { pid, ppid } of members) {
    const rssMb = kbField(readOrUndefined(`/proc/${pid}/status`), 'VmRSS');
    if (rssMb === undefined) continue; // gone meanwhile, or a zombie
    result.push({ pid, ppid, role: roleOf(pid, pgid, members.length), rssMb, pssMb: kbField(readOrUndefined(`/proc/${pid}/smaps_rollup`), 'Pss') });
  }
  return result;
}
