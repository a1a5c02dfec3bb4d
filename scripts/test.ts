// `npm test`: every check the project has, in the order that fails fastest: types, lint, dependencies (knip),
// unit tests (no network, no Python), integration tests (real servers on loopback, real trainings), the Python
// tests of training/. Prints one total. `npm test -- unit lint` runs only the stages named; the Python
// environment (with the test tools) is installed only when a stage that needs it runs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pythonEnvironment } from '../src/local/python-env.ts';
import { ensurePythonEnv } from './python-env.js';

const root = new URL('..', import.meta.url).pathname;
const reports = join(root, '.yolops', 'test-reports');
const bin = (name: string): string => join(root, 'node_modules', '.bin', name);

interface Counts { passed: number; failed: number; skipped: number }
interface Command { cmd: string; args: string[] }
interface Stage { name: string; commands: Command[]; needsPython?: boolean; counts?: () => Counts }

function vitestCounts(file: string): () => Counts {
  return () => {
    const report = JSON.parse(readFileSync(file, 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number };
    return { passed: report.numPassedTests, failed: report.numFailedTests, skipped: report.numPendingTests + report.numTodoTests };
  };
}

function junitCounts(file: string): () => Counts {
  return () => {
    const xml = readFileSync(file, 'utf8');
    const suite = /<testsuite\b[^>]*>/.exec(xml)?.[0] ?? '';
    const attr = (name: string): number => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(suite)?.[1] ?? 0);
    const failed = attr('failures') + attr('errors');
    return { passed: attr('tests') - failed - attr('skipped'), failed, skipped: attr('skipped') };
  };
}

const only = process.argv.slice(2);
const allStages: Stage[] = [
  { name: 'typecheck', commands: [{ cmd: bin('tsc'), args: ['-p', 'tsconfig.json'] }] },
  { name: 'lint', commands: [{ cmd: bin('eslint'), args: ['.'] }] },
  // knip.ts says what each run checks: unused and unlisted dependencies and unused files, then that what ships
  // needs nothing from devDependencies.
  { name: 'deps', commands: [{ cmd: bin('knip'), args: [] }, { cmd: bin('knip'), args: ['--production', '--strict'] }] },
  ...(['unit', 'integration'] as const).map((project) => {
    const out = join(reports, `vitest-${project}.json`);
    const args = ['run', '--project', project, '--reporter=default', '--reporter=json', `--outputFile.json=${out}`];
    return { name: project, commands: [{ cmd: bin('vitest'), args }], needsPython: project === 'integration', counts: vitestCounts(out) };
  }),
  (() => {
    const out = join(reports, 'pytest.xml');
    const python = pythonEnvironment(join(root, '.venv')).python;
    return { name: 'python', commands: [{ cmd: python, args: ['-m', 'pytest', 'training/tests', `--junitxml=${out}`] }], needsPython: true, counts: junitCounts(out) };
  })(),
];
const unknown = only.filter((name) => !allStages.some((stage) => stage.name === name));
if (unknown.length > 0) {
  console.error(`yolops: no test stage ${unknown.join(', ')}; the stages are ${allStages.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const stages = allStages.filter((stage) => only.length === 0 || only.includes(stage.name));

if (stages.some((stage) => stage.needsPython)) {
  try {
    await ensurePythonEnv('dev');
  } catch (error) {
    console.error(`yolops: ${(error as Error).message}`);
    process.exit(1);
  }
}
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });

// node_modules/.bin first: the runners' `#!/usr/bin/env node` must find the project's Node 24, not the machine's.
const env = { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}:${process.env['PATH'] ?? ''}`, YOLO_OFFLINE: 'true' };
const total: Counts = { passed: 0, failed: 0, skipped: 0 };
const summary: string[] = [];
let ok = true;
for (const stage of stages) {
  console.log(`\n=== ${stage.name} ===`);
  const started = Date.now();
  let failure: string | undefined;
  for (const { cmd, args } of stage.commands) {
    const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
    if (result.status !== 0) failure ??= result.error ? `could not start ${cmd}: ${result.error.message}` : `exit ${result.status ?? result.signal}`;
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  ok &&= failure === undefined;
  let detail = failure === undefined ? 'ok' : `FAILED (${failure})`;
  if (stage.counts) {
    try {
      const c = stage.counts();
      total.passed += c.passed;
      total.failed += c.failed;
      total.skipped += c.skipped;
      detail += `, ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`;
    } catch {
      // No report means the runner died before writing one; the exit status above already says FAILED.
      detail += ', no test report';
      ok = false;
    }
  }
  summary.push(`${stage.name.padEnd(12)} ${detail} (${seconds} s)`);
}
console.log(`\n=== summary ===\n${summary.join('\n')}`);
if (!existsSync(join(reports, 'pytest.xml')) && stages.some((s) => s.name === 'python')) ok = false;
console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(ok && total.failed === 0 ? 0 : 1);
