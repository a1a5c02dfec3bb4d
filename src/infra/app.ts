// The CDK app (cdk.json "app"). Run it through the CDK CLI: `npx cdk synth`, `npx cdk deploy --all`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { isUserError } from '../core/errors.ts';
import { stageCodeBundle } from './code-bundle.ts';
import { loadInfraConfig } from './config.ts';
import { compilePipelineDefinition } from './pipeline-source.ts';
import { addYolopsStacks } from './yolops-app.ts';

async function main(): Promise<number> {
  const app = new App();
  // The bundle is packed here and copied into the cloud assembly as an asset by synth; the folder goes after.
  const staging = mkdtempSync(join(tmpdir(), 'yolops-code-bundle-'));
  try {
    // The CDK CLI runs the app from the folder of cdk.json, where the other config files sit beside it;
    // relative paths keep the error messages short.
    const config = loadInfraConfig({
      context: app.node.getAllContext(),
      trainingConfigPath: 'training-config.json',
      metricDefinitionsPath: join('training', 'metric_definitions.json'),
    });
    const codeBundle = await stageCodeBundle('training', staging);
    addYolopsStacks(app, { config, pipelineDefinition: compilePipelineDefinition(config, codeBundle.version), codeBundle });
    app.synth();
    return 0;
  } catch (error) {
    // A user's config mistake gets its message, not a stack trace; anything else is a bug and keeps its trace.
    if (isUserError(error)) {
      console.error((error as Error).message);
      return 1;
    }
    throw error;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

process.exitCode = await main();
