// `npm run setup`: installs everything the project needs and runs nothing. scripts/bootstrap.js has already run
// npm ci and installed the Python virtual environment `.venv` with the test tools by the time this runs; run on its
// own (`node scripts/setup.ts`), it installs `.venv` itself.
import { ensurePythonEnv, PYTHON_SETS } from './python-env.js';

try {
  await ensurePythonEnv('dev');
} catch (error) {
  console.error(`yolops: ${(error as Error).message}`);
  process.exit(1);
}
console.log(`yolops: ready: npm packages in node_modules, .venv from ${PYTHON_SETS.dev.lock}. Try \`npm run demo\` or \`npm test\`.`);
