// `npm test`: every check the project has, in the order that fails fastest: types, lint, unit tests (no
// network), integration tests (real servers on loopback), the Python tests of training/. Prints one total.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePythonEnv, venvPython } from './setup.ts';

const root = new URL('..', import.meta.url).pathname;
const reports = join(root, '.yolops', 'test-reports');
const bin = (name: string): string => join(root, 'node_modules', '.bin', name);

interface Counts { passed: number; failed: number; skipped: number }
interface Stage { name: string; cmd: string; args: string[]; counts?: () => Counts }

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
const stages: Stage[] = [
  { name: 'typecheck', cmd: bin('tsc'), args: ['-p', 'tsconfig.json'] },
  { name: 'lint', cmd: bin('eslint'), args: ['.'] },
  ...(['unit', 'integration'] as const).map((project) => {
    const out = join(reports, `vitest-${project}.json`);
    return { name: project, cmd: bin('vitest'), args: ['run', '--project', project, '--reporter=default', '--reporter=json', `--outputFile.json=${out}`], counts: vitestCounts(out) };
  }),
  (() => {
    const out = join(reports, 'pytest.xml');
    return { name: 'python', cmd: venvPython, args: ['-m', 'pytest', 'training/tests', `--junitxml=${out}`], counts: junitCounts(out) };
  })(),
].filter((stage) => only.length === 0 || only.includes(stage.name));

try {
  ensurePythonEnv();
} catch (error) {
  console.error(`yolops: ${(error as Error).message}`);
  process.exit(1);
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
  const result = spawnSync(stage.cmd, stage.args, { cwd: root, stdio: 'inherit', env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const passedStage = result.status === 0;
  ok &&= passedStage;
  let detail = passedStage ? 'ok' : `FAILED (exit ${result.status ?? result.signal})`;
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
