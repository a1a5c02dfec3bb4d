// The CDK app (cdk.json "app"). Run it through the CDK CLI: `npx cdk synth`, `npx cdk deploy --all`.
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { isUserError } from '../core/errors.ts';
import { loadInfraConfig } from './config.ts';
import { compilePipelineDefinition } from './pipeline-source.ts';
import { addYolopsStacks } from './yolops-app.ts';

function main(): number {
  const app = new App();
  try {
    // The CDK CLI runs the app from the folder of cdk.json, where the other config files sit beside it;
    // relative paths keep the error messages short.
    const config = loadInfraConfig({
      context: app.node.getAllContext(),
      trainingConfigPath: 'training-config.json',
      metricDefinitionsPath: join('training', 'metric_definitions.json'),
    });
    addYolopsStacks(app, { config, pipelineDefinition: compilePipelineDefinition(config) });
    app.synth();
    return 0;
  } catch (error) {
    // A user's config mistake gets its message, not a stack trace; anything else is a bug and keeps its trace.
    if (isUserError(error)) {
      console.error((error as Error).message);
      return 1;
    }
    throw error;
  }
}

process.exitCode = main();
