#!/usr/bin/env node
// Entry point of `npm run demo`, `npm test` and `npm run setup` on a fresh clone. Plain JavaScript on purpose: it
// must run on whatever Node.js the newcomer has (>= 18), install what the project needs (npm packages, among them
// the Node.js 24 the project runs on, and the Python virtual environment), then hand over to Node 24. The two
// installs run side by side: neither needs the other, and together they are most of a first run's time.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePythonEnv } from './python-env.js';

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

// npm ci when node_modules is missing or older than the lockfile (a pull changed dependencies).
function installNpmPackages() {
  const installed = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) return Promise.resolve();
  console.log('yolops: installing npm packages (npm ci)...');
  if (major !== 24) {
    console.log(`yolops: this is Node.js ${process.versions.node}; npm ci also installs Node.js 24 into node_modules and the project runs on that (npm's EBADENGINE warnings below are about Node ${major} and harmless).`);
  }
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
    child.on('error', (error) => reject(new Error(`could not start npm: ${error.message}`)));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error('npm ci failed: see the output above.'));
      console.log(`yolops: npm packages ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);
      resolve();
    });
  });
}

// The demo needs the jobs' packages; a whole `npm test` and `npm run setup` the test tools too. `npm test -- <stages>`
// leaves it to scripts/test.ts, which installs them only for the stages that run Python.
const pythonSet = { demo: 'runtime', setup: 'dev', test: rest.length === 0 ? 'dev' : undefined }[command];
const installs = await Promise.allSettled([installNpmPackages(), pythonSet ? ensurePythonEnv(pythonSet, { root }) : Promise.resolve(false)]);
const failures = installs.filter((r) => r.status === 'rejected').map((r) => r.reason.message);
if (failures.length > 0) fail(failures.join('\n'));

const node24 = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'node.cmd' : 'node');
if (!existsSync(node24)) fail('node_modules/.bin/node is missing: run `npm ci` again (it installs the Node.js 24 the project runs on).');
const result = spawnSync(node24, [join(root, targets[command]), ...rest], { cwd: root, stdio: 'inherit' });
if (result.error) fail(`could not start ${node24}: ${result.error.message}`);
process.exit(result.status ?? 1);
