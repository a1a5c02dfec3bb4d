// Dependency and dead-file check, run by `npm test` (scripts/test.ts) twice:
// - `knip`: dependencies nothing imports, imports of packages package.json does not list, files nothing reaches;
// - `knip --production --strict`: only the code marked `!` (what `yolops`, `npm run demo|setup|test` and `cdk synth`
//   run), and it fails when that code needs a package listed only under devDependencies, which
//   `npm ci --omit=dev` would leave out.
// Unused exports are not checked: the module index files re-export more than today's callers use.
import type { KnipConfig } from 'knip';

const production = process.argv.includes('--production') || process.argv.includes('--strict');

const config: KnipConfig = {
  include: ['dependencies', 'devDependencies', 'optionalPeerDependencies', 'unlisted', 'binaries', 'unresolved', 'files'],
  entry: [
    'scripts/{bootstrap.js,demo.ts,setup.ts}!', 'src/infra/app.ts!', 'src/trigger/handler.ts!',
    // The AWS backend's API: the trigger uses part of it, the CLI's AWS target the rest.
    'src/aws/index.ts!', 'scripts/*.ts', 'bench/*.ts',
    // Programs the integration tests start as child processes (by path, so no import reaches them).
    'test/integration/**/processes/*.ts',
  ],
  project: ['{bin,scripts,src}/**/*.{js,ts}!', '{bench,test}/**/*.ts'],
  // Not npm packages: scripts/python-env.js uses the uv on PATH, or installs one into .venv with pip; the folder
  // store's EPERM test makes a file immutable with e2fsprogs' chattr where the machine has it (skipped elsewhere); the
  // workflow check builds actionlint with the Go toolchain (test/support/actionlint.ts).
  ignoreBinaries: ['uv', 'chattr', 'go'],
  ignoreDependencies: [
    // Bundles the S3 trigger's handler when the CDK app synthesizes; aws-cdk-lib/aws-lambda-nodejs looks it up itself
    // (the default mode sees bench/trigger-bundle.ts import it).
    ...(production ? ['esbuild'] : []),
    // The Node.js 24 the project runs on: bin/yolops.js and scripts/bootstrap.js start node_modules/.bin/node by
    // path. The default mode sees it in the npm scripts (npm puts node_modules/.bin first on PATH); production mode
    // reads no scripts but `start`.
    ...(production ? ['node'] : []),
  ],
};

export default config;
