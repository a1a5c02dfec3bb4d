#!/usr/bin/env node
// Entry point of `npm run demo` and `npm test` on a fresh clone. Plain JavaScript on purpose: it must run on
// whatever Node.js the newcomer has (>= 18), install what the project needs (npm packages, among them the
// Node.js 24 the project runs on, and the Python virtual environment), then hand over to Node 24.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const [command, ...rest] = process.argv.slice(2);
const targets = { demo: 'scripts/demo.ts', test: 'scripts/test.ts', setup: 'scripts/setup.ts' };

function fail(message) {
  console.error(`yolops: ${message}`);
  process.exit(1);
}

if (!(command in targets)) fail(`usage: node scripts/bootstrap.js ${Object.keys(targets).join('|')} [args]`);
const major = Number(process.versions.node.split('.')[0]);
if (major < 18) fail(`Node.js ${process.versions.node} is too old to even install the project: install Node.js 24 (https://nodejs.org) and run again.`);

function run(cmd, args) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (result.error) fail(`could not start ${cmd}: ${result.error.message}`);
  return result.status ?? 1;
}

// npm ci when node_modules is missing or older than the lockfile (a pull changed dependencies).
const installed = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  console.log('yolops: installing npm packages (npm ci)...');
  if (major !== 24) {
    console.log(`yolops: this is Node.js ${process.versions.node}; npm ci also installs Node.js 24 into node_modules and the project runs on that (npm's EBADENGINE warnings below are about Node ${major} and harmless).`);
  }
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  if (run(npm, ['ci', '--no-audit', '--no-fund']) !== 0) fail('npm ci failed: see the output above.');
}

const node24 = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'node.cmd' : 'node');
if (!existsSync(node24)) fail('node_modules/.bin/node is missing: run `npm ci` again (it installs the Node.js 24 the project runs on).');
process.exit(run(node24, [join(root, targets[command]), ...rest]));
