import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODEL_BUILD_CODECOMMIT, REPO_ROOT, SYNTH_TIMEOUT, synthTestApp } from './helpers.ts';

/** Properties that carry the name of a resource the stacks create. */
const NAME_PROPERTIES = ['RepositoryName', 'BucketName', 'RoleName', 'FunctionName', 'Name', 'TopicName', 'AliasName', 'PipelineName', 'ModelPackageGroupName', 'TrackingServerName', 'AlarmName', 'LogGroupName', 'QueueName'];

describe('docs/architecture.md', () => {
  it('names every named resource of every stack, and every stack', { timeout: SYNTH_TIMEOUT }, () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs/architecture.md'), 'utf8');
    const app = synthTestApp({ context: { github_repository: 'acme/yolops', model_build: MODEL_BUILD_CODECOMMIT } });
    const generic = (name: string) => name.replaceAll(app.config.context.aws_account_id, '{account}').replaceAll(app.config.context.project_name, '{project}');

    const names = [app.shared, app.pipeline, app.trigger, app.serving, ...(app.modelBuild ? [app.modelBuild] : [])].flatMap((template) =>
      Object.values(template.toJSON().Resources as Record<string, { Properties?: Record<string, unknown> }>).flatMap((resource) =>
        NAME_PROPERTIES.map((key) => resource.Properties?.[key]).filter((v): v is string => typeof v === 'string'),
      ),
    );
    expect(names.length).toBeGreaterThan(15);
    const missing = [...new Set(names.map(generic))].filter((name) => !doc.includes(name));
    expect(missing).toEqual([]);
    for (const stack of [app.stacks.shared, app.stacks.pipeline, app.stacks.trigger, app.stacks.serving, ...(app.stacks.modelBuild ? [app.stacks.modelBuild] : [])]) expect(doc).toContain(generic(stack.stackName));
  });
});
