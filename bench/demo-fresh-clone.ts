// What a newcomer waits for: clones this checkout's committed HEAD into a temporary folder, runs `npm run demo` there
// (npm ci and the Python environment side by side, then the demo) and reports the total seconds until a model is
// registered, split into the npm install, the Python install and the demo run.
//
//   node bench/demo-fresh-clone.ts           warm caches: npm's and uv's as this machine has them, uv on PATH
//   node bench/demo-fresh-clone.ts --cold    a fresh machine: empty npm and uv caches, and no uv on PATH (so the
//                                            bootstrap pip-installs the pinned uv first)
//   --keep                                   leave the clone (its path is printed) instead of deleting it
//
// Target: at most 150 s on a 2-core machine. It downloads everything in --cold mode (about 3 GB for torch with CUDA).
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: flags } = parseArgs({ options: { cold: { type: 'boolean', default: false }, keep: { type: 'boolean', default: false } } });
const repo = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'yolops-fresh-clone-'));
const clone = join(work, 'yolops');

/** Runs a command with its output passed through (and kept, for the timings the bootstrap prints). */
function run(cmd: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const pass = (sink: NodeJS.WriteStream) => (chunk: Buffer) => {
      output += chunk.toString();
      sink.write(chunk);
    };
    child.stdout.on('data', pass(process.stdout));
    child.stderr.on('data', pass(process.stderr));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`))));
  });
}

function seconds(output: string, pattern: RegExp): number | undefined {
  const match = pattern.exec(output);
  return match ? Number(match[1]) : undefined;
}

const head = (await run('git', ['rev-parse', 'HEAD'], { cwd: repo })).trim();
await run('git', ['clone', '--quiet', '--no-checkout', repo, clone], { cwd: work });
await run('git', ['checkout', '--quiet', head], { cwd: clone });

const env: NodeJS.ProcessEnv = { ...process.env };
delete env['YOLOPS_HOME'];
delete env['MLFLOW_TRACKING_URI'];
if (flags.cold) {
  env['UV_CACHE_DIR'] = join(work, 'uv-cache');
  env['npm_config_cache'] = join(work, 'npm-cache');
  env['PIP_NO_CACHE_DIR'] = '1';
  // A `uv` that fails first on PATH: the bootstrap takes the machine for one without uv.
  const noUv = join(work, 'no-uv');
  mkdirSync(noUv);
  writeFileSync(join(noUv, 'uv'), '#!/bin/sh\nexit 127\n');
  chmodSync(join(noUv, 'uv'), 0o755);
  env['PATH'] = `${noUv}:${env['PATH'] ?? ''}`;
}

// The machine's load, before and after: figures taken while other work shares the cores are not the target's.
const load = (): string => `${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores`;
const loadBefore = load();
console.log(`bench: ${flags.cold ? 'cold' : 'warm'} caches; fresh clone of ${head.slice(0, 12)} in ${clone}; load ${loadBefore}`);
const started = Date.now();
const output = await run('npm', ['run', 'demo'], { cwd: clone, env });
const total = (Date.now() - started) / 1000;

const npmInstall = seconds(output, /npm packages ready in (\d+) s/);
const pythonInstall = seconds(output, /Python environment ready in (\d+) s/);
// `demo wall time: 58.2 s` or `1 min 23 s` (src/cli/output.ts formatSeconds).
const wall = /demo wall time: (?:(\d+) min )?([\d.]+) s/.exec(output);
const demo = wall ? Number(wall[1] ?? 0) * 60 + Number(wall[2]) : undefined;
const registered = /registered: \S+ version \d+/.exec(output)?.[0];
const metric = /^metrics \(.*, mAP50-95 ([\d.]+)/m.exec(output)?.[1];

console.log(`\nbench: fresh clone to registered model (${flags.cold ? 'cold' : 'warm'} caches${flags.cold ? ', no uv on PATH' : ''})`);
console.log(`  total                    ${total.toFixed(1)} s (target <= 150 s)`);
console.log(`  npm ci                   ${npmInstall ?? '?'} s   } side by side`);
console.log(`  Python env (uv)          ${pythonInstall ?? '?'} s   }`);
console.log(`  demo run                 ${demo ?? '?'} s`);
console.log(`  model                    ${registered ?? 'NOT registered'}${metric ? `, mAP50-95 ${metric}` : ''}`);
console.log(`  load (1 min average)     ${loadBefore} before, ${load()} after`);
if (flags.keep) console.log(`  clone kept at ${clone}`);
else rmSync(work, { recursive: true, force: true });
process.exitCode = registered !== undefined && total <= 150 ? 0 : 1;
