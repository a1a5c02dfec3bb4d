import type { JsonObject, JsonValue } from '../../../../src/local/json.ts';
import type { ResolveScope } from '../../../../src/local/pipeline/expressions.ts';

/** A ResolveScope over plain data, for resolver and condition tests. */
export function fakeScope(options: {
  parameters?: Record<string, JsonValue>;
  steps?: Record<string, JsonObject | string>;
  propertyFiles?: Record<string, JsonValue>;
  objects?: Record<string, JsonValue>;
  jobName?: string;
}): ResolveScope {
  return {
    parameter: (name) => options.parameters?.[name],
    execution: (name) => {
      const values: Record<string, JsonValue> = {
        PipelineExecutionId: 'abc123def456',
        PipelineExecutionArn: 'arn:aws:sagemaker:local:000000000000:pipeline/p/execution/abc123def456',
        PipelineName: 'p',
        PipelineArn: 'arn:aws:sagemaker:local:000000000000:pipeline/p',
        StartDateTime: '2026-11-23T00:00:00.000Z',
        CurrentDateTime: '2026-11-23T00:00:01.000Z',
      };
      if (name === 'TrainingJobName') return options.jobName;
      return values[name];
    },
    stepProperties: (name) => options.steps?.[name] ?? `no step "${name}"`,
    propertyFile: async (step, file) => {
      const value = options.propertyFiles?.[`${step}/${file}`];
      if (value === undefined) throw new Error(`no property file ${step}/${file}`);
      return value;
    },
    objectJson: async (uri) => {
      const value = options.objects?.[uri];
      if (value === undefined) throw new Error(`${uri} does not exist`);
      return value;
    },
  };
}
