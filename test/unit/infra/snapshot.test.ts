import { describe, expect, it } from 'vitest';
import { CODE_BUNDLE, synthTestApp } from './helpers.ts';

/**
 * Asset hashes change with every change of the bundled handler or of the CDK, the code version with every
 * change of training/, and the pipeline definition with every change of the compiler (its equality with the
 * compiler's JSON is tested in sagemaker-pipeline-stack.test.ts); none says anything about the
 * infrastructure's design.
 */
function scrubbed(template: unknown): unknown {
  const text = JSON.stringify(template).replace(/[0-9a-f]{64}/g, '<asset-hash>').replaceAll(CODE_BUNDLE.version, '<code-version>');
  const json = JSON.parse(text) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
  for (const resource of Object.values(json.Resources)) {
    if (resource.Type === 'AWS::SageMaker::Pipeline') resource.Properties.PipelineDefinition = { PipelineDefinitionBody: '<the compiler\'s JSON>' };
  }
  return json;
}

describe('synthesized templates', () => {
  const app = synthTestApp();

  it.each([
    ['SharedResourcesStack', app.shared],
    ['SageMakerPipelineStack', app.pipeline],
    ['S3TriggerStack', app.trigger],
    ['ServingStack', app.serving],
  ])('%s matches the snapshot', (_name, template) => {
    expect(scrubbed(template.toJSON())).toMatchSnapshot();
  });
});
