import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { acknowledge } from '../../../src/infra/nag.ts';
import { buildTestApp, MODEL_BUILD_CODECOMMIT, MODEL_BUILD_CONNECTION, SYNTH_TIMEOUT, type TestAppOptions } from './helpers.ts';

interface Acknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

/** The acknowledgements recorded on the construct tree (what cdk-nag reads). */
function acknowledgementsOf(root: IConstruct): Acknowledgement[] {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ path: c.node.path, id: id.replace(/^[A-Za-z]+::/, ''), reason }))),
  );
}

const VARIANTS: [string, TestAppOptions][] = [
  ['dev (cdk.json as committed)', {}],
  ['prod with an email subscription', { context: { environment: 'prod', notification_email: 'ml@example.com' } }],
  ['with the GitHub OIDC deploy role', { context: { github_repository: 'acme/yolops' } }],
  ['with the model-build CI from CodeCommit', { context: { model_build: MODEL_BUILD_CODECOMMIT } }],
  ['prod with the model-build CI through a CodeConnections connection and the GitHub deploy role', { context: { environment: 'prod', model_build: MODEL_BUILD_CONNECTION, github_repository: 'acme/yolops' } }],
  ['with a custom training image', { training: { custom_image_uri: '123456789012.dkr.ecr.ap-southeast-2.amazonaws.com/yolops-training:1.0' } }],
];

describe.each(VARIANTS)('cdk-nag AwsSolutions, %s', (_name, options) => {
  const built = buildTestApp(options);

  it('synthesizes with zero unacknowledged findings', { timeout: SYNTH_TIMEOUT }, () => {
    expect(() => built.app.synth()).not.toThrow();
    const report = JSON.parse(readFileSync(join(built.outdir, 'validation-report.json'), 'utf8')) as { pluginReports: { violations?: unknown[] }[] };
    expect(report.pluginReports.flatMap((r) => r.violations ?? [])).toEqual([]);
  });

  it('gives every acknowledgement a reason of at least one full sentence', () => {
    const acks = acknowledgementsOf(built.app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.id).toMatch(/^AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
      expect(ack.reason.length, `${ack.path} ${ack.id}`).toBeGreaterThanOrEqual(40);
      expect(ack.reason, `${ack.path} ${ack.id}`).toMatch(/^[A-Z][\s\S]*[.!?]$/);
      expect(ack.reason.split(/\s+/).length, `${ack.path} ${ack.id}`).toBeGreaterThanOrEqual(8);
    }
  });
});

describe('acknowledge()', () => {
  it('refuses a reason that is not a sentence', () => {
    const { app } = buildTestApp();
    expect(() => acknowledge(app, 'AwsSolutions-S1', 'not needed')).toThrow(/at least one full sentence/);
    expect(() => acknowledge(app, 'AwsSolutions-S1', 'This reason is long enough but never ends with a stop')).toThrow(/at least one full sentence/);
  });
});
