// groupMemory reads /proc: a real process group (a shell and two children) stands in for the server's.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stopGroup } from '../../../bench/serving/cleanup.ts';
import { groupMemory } from '../../../bench/serving/process-memory.ts';

describe.runIf(existsSync('/proc/self/stat'))('groupMemory', () => {
  it('lists every process of the group, the leader first, with its RSS and PSS, and nothing once it is stopped', async () => {
    const child = spawn('sh', ['-c', 'sleep 30 & sleep 30 & wait'], { detached: true, stdio: 'ignore' });
    const pgid = child.pid as number;
    try {
      let members = groupMemory(pgid);
      for (let i = 0; i < 50 && members.length < 3; i++) {
        await new Promise((r) => setTimeout(r, 50));
        members = groupMemory(pgid);
      }
      expect(members.map((m) => m.pid)[0]).toBe(pgid);
      expect(members.map((m) => m.role)).toEqual(['supervisor', 'worker', 'worker']);
      expect(members.slice(1).every((m) => m.ppid === pgid)).toBe(true);
      for (const m of members) {
        expect(m.rssMb).toBeGreaterThan(0);
        expect(m.pssMb).toBeGreaterThan(0);
        expect(m.pssMb).toBeLessThanOrEqual(m.rssMb);
      }
    } finally {
      await stopGroup(pgid, 1_000);
    }
    expect(groupMemory(pgid)).toEqual([]);
  });

  it('calls a group of one process the server', async () => {
    const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    const pgid = child.pid as number;
    try {
      expect(groupMemory(pgid).map((m) => m.role)).toEqual(['server']);
    } finally {
      await stopGroup(pgid, 1_000);
    }
  });
});
