import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

// Records acknowledgements instead of applying them, so that synth reports every finding the stacks have:
// each finding must have an acknowledgement and each acknowledgement a finding (none is stale or too broad).
const recorded = vi.hoisted(() => [] as { path: string; id: string }[]);
vi.mock(import('aws-cdk-lib'), async (importOriginal) => {
  const actual = await importOriginal();
  const of = (scope: import('constructs').IConstruct) => {
    const real = actual.Validations.of(scope);
    return {
      addPlugins: real.addPlugins.bind(real),
      addWarning: real.addWarning.bind(real),
      addError: real.addError.bind(real),
      acknowledge: (...rules: { id: string }[]) => {
        for (const rule of rules) recorded.push({ path: scope.node.path, id: rule.id });
      },
    };
  };
  return { ...actual, Validations: Object.assign(Object.create(actual.Validations) as object, { of }) as unknown as typeof actual.Validations };
});

const { buildTestApp, SYNTH_TIMEOUT } = await import('./helpers.ts');

interface Violation {
  ruleName: string;
  violatingConstructs: { constructPath: string }[];
}

describe.each([
  ['dev', {}],
  ['prod with GitHub and a custom image', { context: { environment: 'prod', github_repository: 'acme/yolops' }, training: { custom_image_uri: '123456789012.dkr.ecr.ap-southeast-2.amazonaws.com/yolops-training:1.0' } }],
])('every cdk-nag acknowledgement matches a real finding (%s)', (_name, options) => {
  it('and every finding has its acknowledgement', { timeout: SYNTH_TIMEOUT }, () => {
    recorded.length = 0;
    const built = buildTestApp(options);
    expect(() => built.app.synth()).toThrow(/AwsSolutions/);
    const report = JSON.parse(readFileSync(join(built.outdir, 'validation-report.json'), 'utf8')) as { pluginReports: { pluginName: string; violations: Violation[] }[] };
    const findings = report.pluginReports
      .filter((r) => r.pluginName === 'AwsSolutions')
      .flatMap((r) => r.violations.flatMap((v) => v.violatingConstructs.map((c) => ({ id: v.ruleName, path: c.constructPath }))));
    expect(findings.length).toBeGreaterThan(0);

    const covered = (f: { id: string; path: string }) => recorded.some((a) => a.id === f.id && (f.path === a.path || f.path.startsWith(`${a.path}/`)));
    expect(findings.filter((f) => !covered(f))).toEqual([]);
    const used = (a: { id: string; path: string }) => findings.some((f) => a.id === f.id && (f.path === a.path || f.path.startsWith(`${a.path}/`)));
    expect(recorded.filter((a) => !used(a))).toEqual([]);
  });
});
