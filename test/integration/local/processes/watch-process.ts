// A `yolops local watch` with tiny training settings, as its own process, so a test can kill it like a user
// would (Ctrl-C, or SIGKILL / a crash). Usage: node watch-process.ts <root> <parameter overrides as JSON>
import { watchLocally } from '../../../../src/local/watch/watch-locally.ts';
import { compiledDefinition, CONTEXT, testEnv } from '../helpers.ts';

const [root, overrides] = process.argv.slice(2);
if (!root || !overrides) throw new Error('usage: watch-process.ts <root> <parameter overrides as JSON>');
const controller = new AbortController();
process.on('SIGINT', () => controller.abort(new Error('stopped by SIGINT (Ctrl-C)')));
await watchLocally({
  root,
  definition: compiledDefinition(),
  context: CONTEXT,
  env: testEnv(),
  parameterOverrides: JSON.parse(overrides) as Record<string, string | number>,
  signal: controller.signal,
  settleMs: 0,
  pollMs: 200,
  onEvent: (event) => {
    if (event.type !== 'log') console.log(JSON.stringify(event.type === 'execution-finished' ? { type: event.type, status: event.record.status } : event));
  },
  onWatchEvent: (event) => console.log(JSON.stringify(event)),
});
