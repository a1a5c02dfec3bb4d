// Everything the bench starts runs in a process group of its own (the inference servers through
// startModelServer, the Python baseline through runPythonGroup), so Ctrl-C in a terminal reaches none of them
// directly: on SIGINT/SIGTERM the bench stops every group it still holds, then exits with the signal's code.
// A second signal, or an exit by any other path, kills what is left with SIGKILL.

const stops = new Map<number, () => Promise<void>>();
let installed = false;
let stopping = false;

/** Registers the stop of a running group until the returned function is called. */
export function holdGroup(pgid: number, stop: () => Promise<void>): () => void {
  install();
  stops.set(pgid, stop);
  return () => stops.delete(pgid);
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is gone already, which is what we want
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', () => {
    for (const pgid of stops.keys()) killGroup(pgid, 'SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(signal === 'SIGINT' ? 130 : 143); // the exit hook SIGKILLs what is left
      stopping = true;
      console.error(`\nbench: ${signal}: stopping ${stops.size} process group(s)...`);
      void Promise.allSettled([...stops.values()].map((stop) => stop())).then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  }
}

/** SIGTERM to the group, SIGKILL after `graceMs`; resolves once no process of the group is left (or gives up). */
export async function stopGroup(pgid: number, graceMs = 5_000): Promise<void> {
  killGroup(pgid, 'SIGTERM');
  const killAt = Date.now() + graceMs;
  const giveUpAt = killAt + 5_000;
  while (Date.now() < giveUpAt) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return;
    }
    if (Date.now() > killAt) killGroup(pgid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 100));
  }
  console.error(`bench: process group ${pgid} is still alive after SIGKILL`);
}
