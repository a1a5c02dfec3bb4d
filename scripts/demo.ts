// `npm run demo`: makes sure the Python environment exists, then runs `yolops demo` (sample dataset into the
// local training-data bucket, the whole pipeline on it, and a report of what came out).
import { ensurePythonEnv } from './setup.ts';

try {
  ensurePythonEnv();
} catch (error) {
  console.error(`yolops: ${(error as Error).message}`);
  process.exit(1);
}
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(['demo', ...process.argv.slice(2)]);
