#!/usr/bin/env node
// The `yolops` command. The CLI is TypeScript run by Node.js 24's type stripping; this shim only makes sure
// it runs on Node 24, re-running itself with the Node 24 that `npm ci` installs into node_modules otherwise.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const major = Number(process.versions.node.split('.')[0]);
if (major === 24) {
  const { main } = await import('../src/cli/main.ts');
  process.exitCode = await main(process.argv.slice(2));
} else {
  const node24 = join(root, 'node_modules', '.bin', 'node');
  if (!existsSync(node24)) {
    console.error(`yolops: needs Node.js 24 (this is ${process.versions.node}); run \`npm ci\` in ${root}, which installs it into node_modules.`);
    process.exit(1);
  }
  const child = spawn(node24, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  // The runner stops its execution cleanly on a signal, so it must get the signals this shim gets. SIGTERM and
  // SIGHUP are usually sent to one process (kill, a closed terminal): pass them on. Ctrl-C sends SIGINT to the
  // whole foreground group, the runner included: the shim only stays alive to report the runner's exit.
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  process.on('SIGINT', () => {});
  child.on('error', (error) => {
    console.error(`yolops: could not start ${node24}: ${error.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
}
