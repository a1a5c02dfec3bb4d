// The S3 trigger Lambda's bundle: builds src/trigger/handler.ts with esbuild exactly as its NodejsFunction
// (src/infra/constructs/training-trigger.ts) does at synth time, then reports
//   - the bundle's bytes (index.mjs; the source map is written and reported apart, not counted). Target: at most
//     1 MiB (1,048,576 bytes);
//   - the input packages that take the most bytes of it (esbuild's metafile);
//   - its module init time: the median, over --runs fresh `node` processes, of the time from process start to
//     `await import(bundle)` resolved, with the environment the handler requires, minus the same for an empty
//     module. The AWS SDK (@aws-sdk/*, @smithy/*) stays outside the bundle, as the construct leaves it, and Lambda
//     loads it from its runtime; here it loads from node_modules, so the init figure includes it, and the SDK's own
//     share is measured apart (a module importing only the bundle's external imports).
//
//   node bench/trigger-bundle.ts [--entry src/trigger/handler.ts] [--runs 10] [--top 12]
//
// The esbuild options are the ones aws-cdk-lib's NodejsFunction passes for the construct's `bundling` props
// (--bundle --platform=node --target=node24 --format=esm --minify --sourcemap --log-level=warning, the banner,
// externals @aws-sdk/* and, with the @aws-cdk/aws-lambda-nodejs:sdkV3ExcludeSmithyPackages flag of cdk.json,
// @smithy/*, run from the project root). The bench checks that the construct still says what it copied and
// stops when it does not. It exits non-zero only when it cannot measure (build or import failing); a bundle
// over the target is reported, not failed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build, version as esbuildVersion, type Metafile } from 'esbuild';
import { REPO_ROOT } from '../src/local/layout.ts';

const { values } = parseArgs({
  options: {
    entry: { type: 'string', default: 'src/trigger/handler.ts' },
    runs: { type: 'string', default: '10' },
    top: { type: 'string', default: '12' },
  },
});
const runs = Number(values.runs);
const top = Number(values.top);
if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`--runs must be a whole number >= 1, got ${values.runs}`);
if (!Number.isInteger(top) || top < 1) throw new RangeError(`--top must be a whole number >= 1, got ${values.top}`);
const entry = resolve(REPO_ROOT, values.entry);
const TARGET_BYTES = 1_048_576;

// What the constructs' `bundling` props (LAMBDA_BUNDLING) say, copied; checked against its source so the two cannot drift apart.
const BANNER = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";
const CONSTRUCT = join(REPO_ROOT, 'src', 'infra', 'constructs', 'lambda-bundling.ts');
const constructSource = readFileSync(CONSTRUCT, 'utf8');
const expectedInConstruct = ['format: OutputFormat.ESM', "target: 'node24'", 'minify: true', 'sourceMap: true', 'logLevel: LogLevel.WARNING', `banner: ${JSON.stringify(BANNER)}`];
const drifted = expectedInConstruct.filter((text) => !constructSource.includes(text));
const bundlingBlock = /LAMBDA_BUNDLING: BundlingOptions = \{([^}]*)\}/.exec(constructSource)?.[1] ?? '';
const bundlingKeys = [...bundlingBlock.matchAll(/^\s*(\w+):/gm)].map((m) => m[1]);
const unknownKeys = bundlingKeys.filter((k) => !['format', 'target', 'minify', 'sourceMap', 'logLevel', 'banner'].includes(k ?? ''));
if (drifted.length > 0 || unknownKeys.length > 0 || bundlingKeys.length === 0) {
  console.error(`${relative(REPO_ROOT, CONSTRUCT)} no longer bundles the handler as this bench does (missing: ${drifted.join(', ') || 'none'}; new keys: ${unknownKeys.join(', ') || 'none'}); update bench/trigger-bundle.ts`);
  process.exit(2);
}
const cdkContext = (JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> }).context ?? {};
const external = cdkContext['@aws-cdk/aws-lambda-nodejs:sdkV3ExcludeSmithyPackages'] === true ? ['@aws-sdk/*', '@smithy/*'] : ['@aws-sdk/*'];

// A temporary folder whose node_modules is the project's, so the external SDK imports resolve there, as they
// resolve to the runtime's copy on Lambda.
const out = mkdtempSync(join(tmpdir(), 'yolops-trigger-bundle-'));
symlinkSync(join(REPO_ROOT, 'node_modules'), join(out, 'node_modules'), 'dir');
process.on('exit', () => rmSync(out, { recursive: true, force: true }));
const outfile = join(out, 'index.mjs');

const buildStarted = performance.now();
const result = await build({
  absWorkingDir: REPO_ROOT,
  entryPoints: [entry],
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  outfile,
  minify: true,
  sourcemap: true,
  external,
  logLevel: 'warning',
  banner: { js: BANNER },
  metafile: true,
});
const buildSeconds = (performance.now() - buildStarted) / 1000;

const bundleBytes = statSync(outfile).size;
const mapBytes = statSync(`${outfile}.map`).size;
const gzipBytes = gzipSync(readFileSync(outfile), { level: 9 }).length;
const output = result.metafile.outputs[relative(REPO_ROOT, outfile)];
if (!output) throw new Error(`esbuild's metafile has no output ${relative(REPO_ROOT, outfile)} (it has ${Object.keys(result.metafile.outputs).join(', ')})`);

/** `node_modules/@scope/name/...` -> `@scope/name`; first-party files -> their folder (`src/core/dataset`). */
function packageOf(input: string): string {
  const at = input.lastIndexOf('node_modules/');
  if (at >= 0) {
    const parts = input.slice(at + 'node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? input);
  }
  const parts = input.split('/');
  return parts.slice(0, Math.min(parts.length - 1, 3)).join('/') || input;
}

function largestPackages(meta: Metafile['outputs'][string]): { name: string; bytes: number; files: number }[] {
  const byPackage = new Map<string, { bytes: number; files: number }>();
  for (const [input, { bytesInOutput }] of Object.entries(meta.inputs)) {
    const name = packageOf(input);
    const entry = byPackage.get(name) ?? { bytes: 0, files: 0 };
    entry.bytes += bytesInOutput;
    entry.files += 1;
    byPackage.set(name, entry);
  }
  return [...byPackage.entries()].map(([name, v]) => ({ name, ...v })).sort((a, b) => b.bytes - a.bytes);
}

// Module init: fresh processes, started alternately, each printing performance.now() (ms since it started) once
// its import has resolved.
const externalImports = [...new Set(output.imports.filter((i) => i.external && !isBuiltin(i.path)).map((i) => i.path))].sort();
writeFileSync(join(out, 'empty.mjs'), 'export {};\n');
writeFileSync(join(out, 'sdk-only.mjs'), externalImports.map((path) => `import ${JSON.stringify(path)};\n`).join('') || 'export {};\n');
writeFileSync(join(out, 'measure.mjs'), "await import(process.argv[2]);\nprocess.stdout.write(String(performance.now()));\n");

// Plausible values for everything src/trigger/environment.ts requires, and what Lambda sets; no caller's AWS
// settings or credentials reach the child.
const lambdaEnv: NodeJS.ProcessEnv = {
  PATH: process.env['PATH'] ?? '',
  TZ: ':UTC',
  LANG: 'en_US.UTF-8',
  AWS_REGION: 'ap-southeast-2',
  AWS_DEFAULT_REGION: 'ap-southeast-2',
  AWS_LAMBDA_FUNCTION_NAME: 'yolops-dev-training-trigger',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_SESSION_TOKEN: 'bench',
  TRAINING_BUCKET: 'yolops-training-data-123456789012',
  TRAINING_CONFIG_KEY: 'config/training-config.json',
  PIPELINE_NAME: 'yolops-yolo-training-pipeline',
  NOTIFICATIONS_TOPIC_ARN: 'arn:aws:sns:ap-southeast-2:123456789012:yolops-notifications',
  TRIGGER_QUEUE_URL: 'https://sqs.ap-southeast-2.amazonaws.com/123456789012/yolops-training-trigger',
  QUIET_PERIOD_SECONDS: '120',
  CLAIM_STALE_SECONDS: '600',
  VALIDATION_CONCURRENCY: '32',
  POWERTOOLS_SERVICE_NAME: 'yolops-trigger',
  POWERTOOLS_LOG_LEVEL: 'INFO',
};

function importOnce(module: string): number {
  const child = spawnSync(process.execPath, [join(out, 'measure.mjs'), pathToFileURL(join(out, module)).href], { cwd: out, env: lambdaEnv, encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`importing ${module} in a fresh node failed (exit ${child.status}):\n${child.stderr}`);
  const ms = Number(child.stdout);
  if (!Number.isFinite(ms)) throw new Error(`importing ${module} printed ${JSON.stringify(child.stdout)}, not a time`);
  return ms;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
};
const modules = ['empty.mjs', 'sdk-only.mjs', 'index.mjs'] as const;
const times: Record<(typeof modules)[number], number[]> = { 'empty.mjs': [], 'sdk-only.mjs': [], 'index.mjs': [] };
importOnce('index.mjs'); // once unmeasured: the page cache holds node, the bundle and the SDK for every measured run
for (let run = 0; run < runs; run += 1) for (const m of run % 2 === 0 ? modules : [...modules].reverse()) times[m].push(importOnce(m));
const empty = median(times['empty.mjs']);
const sdk = median(times['sdk-only.mjs']);
const bundle = median(times['index.mjs']);

const n = (x: number): string => x.toLocaleString('en-US');
const ms = (x: number): string => `${x.toFixed(1)} ms`;
function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ')).join('\n');
}

console.log(`trigger bundle: ${relative(REPO_ROOT, entry)}, esbuild ${esbuildVersion} (built in ${buildSeconds.toFixed(2)} s), externals ${external.join(' ')}`);
console.log(`machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}, Node ${process.version}\n`);
console.log(table([
  ['', 'bytes', 'target', 'verdict'],
  ['bundle (index.mjs)', n(bundleBytes), `<= ${n(TARGET_BYTES)}`, bundleBytes <= TARGET_BYTES ? `OK (${((100 * bundleBytes) / TARGET_BYTES).toFixed(0)}% of it)` : `OVER by ${n(bundleBytes - TARGET_BYTES)}`],
  ['  gzip -9 of it', n(gzipBytes), '', ''],
  ['source map (not counted)', n(mapBytes), '', ''],
]));
const packages = largestPackages(output);
console.log(`\nlargest inputs by bytes in the bundle (${packages.length} packages/folders, ${Object.keys(output.inputs).length} files):`);
console.log(table([
  ['package or folder', 'bytes', 'share', 'files'],
  ...packages.slice(0, top).map((p) => [p.name, n(p.bytes), `${((100 * p.bytes) / bundleBytes).toFixed(1)}%`, String(p.files)]),
]));
console.log(`external imports (loaded from the Lambda runtime, not in the bundle): ${externalImports.join(', ') || 'none'}`);
console.log(`\nmodule init, median of ${runs} fresh node processes (process start -> import resolved):`);
console.log(table([
  ['', 'median', 'min', 'max'],
  ...modules.map((m) => [m === 'empty.mjs' ? 'empty module (baseline)' : m === 'sdk-only.mjs' ? 'external SDK imports only' : 'bundle', ms(median(times[m])), ms(Math.min(...times[m])), ms(Math.max(...times[m]))]),
]));
console.log(`init = bundle - empty = ${ms(bundle - empty)}, of which the external SDK imports ${ms(sdk - empty)} and the bundle's own code ${ms(bundle - sdk)}`);
