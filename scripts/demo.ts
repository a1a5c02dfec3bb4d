// `npm run demo`: makes sure the Python environment holds what the jobs need (scripts/bootstrap.js has usually
// installed it already, while npm ci ran), then runs `yolops demo` (sample dataset into the local training-data
// bucket, the whole pipeline on it, and a report of what came out).
import { ensurePythonEnv } from './python-env.js';

try {
  await ensurePythonEnv('runtime');
} catch (error) {
  console.error(`yolops: ${(error as Error).message}`);
  process.exit(1);
}
// The demo trains from yolo11n.yaml and needs nothing from the internet: spare the jobs Ultralytics' online probes.
process.env['YOLO_OFFLINE'] ??= 'true';
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(['demo', ...process.argv.slice(2)]);
