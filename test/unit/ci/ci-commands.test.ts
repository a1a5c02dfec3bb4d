import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildspecCommands,
  CiDefinitionError,
  evaluateCondition,
  interpolate,
  parseGithubOutput,
  workflowJobCommands,
  workflowJobIds,
} from '../../support/ci-commands.ts';

const ROOT = join(import.meta.dirname, '../../..');

const WORKFLOW = `
name: t
env:
  A: workflow
  B: workflow
jobs:
  first:
    runs-on: ubuntu-latest
    env:
      B: job
    defaults:
      run:
        working-directory: sub
    outputs:
      value: \${{ steps.make.outputs.value }}
    steps:
      - uses: actions/checkout@v6
      - name: Make
        id: make
        env:
          C: \${{ inputs.c }}
        run: |
          echo "value=$C" >> "$GITHUB_OUTPUT"
      - run: echo done
        shell: sh
        if: \${{ inputs.flag }}
  second:
    needs: first
    runs-on: ubuntu-latest
    steps:
      - run: echo second
`;

describe('workflowJobCommands', () => {
  it('lists the run: steps of a job in order, with the env of each level and the actions it skips', () => {
    expect(workflowJobIds(WORKFLOW)).toEqual(['first', 'second']);
    const job = workflowJobCommands(WORKFLOW, 'first');
    expect(job.env).toEqual({ A: 'workflow', B: 'job' });
    expect(job.outputs).toEqual({ value: '${{ steps.make.outputs.value }}' });
    expect(job.actions).toEqual([{ index: 0, name: 'actions/checkout@v6', uses: 'actions/checkout@v6' }]);
    expect(job.commands).toEqual([
      { index: 1, name: 'Make', id: 'make', env: { C: '${{ inputs.c }}' }, run: 'echo "value=$C" >> "$GITHUB_OUTPUT"\n', workingDirectory: 'sub' },
      { index: 2, name: 'echo done', if: '${{ inputs.flag }}', env: {}, run: 'echo done', shell: 'sh', workingDirectory: 'sub' },
    ]);
    expect(workflowJobCommands(WORKFLOW, 'second').needs).toEqual(['first']);
  });

  it('says which jobs exist when asked for another, and what is malformed', () => {
    expect(() => workflowJobCommands(WORKFLOW, 'third')).toThrow(/has no job "third"; its jobs are first, second/);
    expect(() => workflowJobCommands('jobs:\n  a:\n    steps:\n      - name: nothing\n', 'a')).toThrow(CiDefinitionError);
    expect(() => workflowJobCommands('jobs: [', 'a')).toThrow(/is not YAML/);
  });
});

describe('expressions', () => {
  const contexts = { inputs: { epochs: '3', empty: '', flag: true, off: false }, steps: { push: { outputs: { 'code-version': 'abc123' } } } };

  it('interpolates context paths (hyphenated keys too), literals and ||, missing values as empty', () => {
    expect(interpolate('v=${{ steps.push.outputs.code-version }}', contexts)).toBe('v=abc123');
    expect(interpolate("${{ inputs.empty || 'default' }}/${{ inputs.epochs }}", contexts)).toBe('default/3');
    expect(interpolate('[${{ inputs.missing }}][${{ nothing.at.all }}]', contexts)).toBe('[][]');
    expect(() => interpolate('${{ format(inputs.epochs) }}', contexts)).toThrow(/unsupported expression/);
  });

  it('evaluates if: with or without ${{ }}, an absent one as true', () => {
    expect(evaluateCondition('inputs.flag', contexts)).toBe(true);
    expect(evaluateCondition('${{ inputs.off }}', contexts)).toBe(false);
    expect(evaluateCondition('inputs.missing', contexts)).toBe(false);
    expect(evaluateCondition(undefined, contexts)).toBe(true);
  });
});

describe('parseGithubOutput', () => {
  it('reads name=value lines and name<<DELIMITER blocks, the later value winning', () => {
    expect(parseGithubOutput('a=1\nb=x=y\n\nsummary<<EOF\nline 1\nline 2\nEOF\na=2\n')).toEqual({ a: '2', b: 'x=y', summary: 'line 1\nline 2' });
    expect(() => parseGithubOutput('x<<END\nno end\n')).toThrow(/no line END ends it/);
    expect(() => parseGithubOutput('just text\n')).toThrow(/neither name=value/);
  });
});

describe('buildspecCommands', () => {
  it('lists the commands of each phase in CodeBuild order, with env, shell and runtime versions', () => {
    const spec = buildspecCommands(`
version: 0.2
env:
  shell: bash
  variables: { X: 1 }
phases:
  build:
    commands: [b1, b2]
  install:
    runtime-versions: { nodejs: 22 }
    commands: [i1]
  post_build:
    finally: [cleanup]
`);
    expect(spec).toEqual({ shell: 'bash', env: { X: '1' }, runtimeVersions: { nodejs: '22' }, phases: [{ phase: 'install', commands: ['i1'] }, { phase: 'build', commands: ['b1', 'b2'] }] });
    expect(() => buildspecCommands('version: 0.1\nphases: {}\n')).toThrow(/version/);
    expect(() => buildspecCommands('version: 0.2\nphases:\n  deploy: { commands: [x] }\n')).toThrow(/phases/);
  });

  it('reads the repository\'s buildspec.yml: install, then push, upsert and start with the pushed version', () => {
    const spec = buildspecCommands(readFileSync(join(ROOT, 'buildspec.yml'), 'utf8'));
    expect(spec.shell).toBe('bash');
    expect(spec.env).toEqual({ YOLOPS_TARGET: 'aws' });
    expect(spec.phases.map((p) => p.phase)).toEqual(['install', 'build']);
    const yolops = spec.phases.flatMap((p) => p.commands).filter((c) => c.startsWith('npx yolops'));
    expect(yolops.map((c) => c.split(' ').slice(2, 4).join(' '))).toEqual(['code push', 'pipeline upsert', 'pipeline start']);
    expect(yolops.slice(1).every((c) => c.includes('--code-version "$CODE_VERSION"'))).toBe(true);
  });
});
