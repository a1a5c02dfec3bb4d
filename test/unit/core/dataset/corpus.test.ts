import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { validateDirectory } from '../../../../src/cli/directory-store.ts';
import { DATASET_CONTRACT, PROBLEM_CODES } from '../../../../src/core/dataset/contract.ts';

/**
 * The shared corpus (test/corpus/dataset/<case>/: a dataset folder and expected.json): the training job's checks
 * run the same cases (training/tests/test_dataset_corpus.py). This side reports warnings as well as errors, so it
 * expects every problem of expected.json with its severity, file and line, except those marked `only` for the
 * other side; where it expects fewer, `differences.typescript` says why.
 */
const CORPUS = join(import.meta.dirname, '../../../corpus/dataset');

const ExpectedSchema = z.strictObject({
  about: z.string().min(1),
  problems: z.array(
    z.strictObject({
      code: z.enum(PROBLEM_CODES as [string, ...string[]]),
      severity: z.enum(['error', 'warning']),
      /** Relative to the case's dataset folder. */
      file: z.string(),
      line: z.number().int().optional(),
      /** A problem only one side can see; `differences` says why the other cannot. */
      only: z.enum(['typescript', 'python']).optional(),
    }),
  ),
  /** Why a side expects fewer problems than listed. */
  differences: z.strictObject({ typescript: z.string().min(1).optional(), python: z.string().min(1).optional() }).optional(),
});

const cases = readdirSync(CORPUS, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => ({ name: entry.name, expected: ExpectedSchema.parse(JSON.parse(readFileSync(join(CORPUS, entry.name, 'expected.json'), 'utf8'))) }))
  .sort((a, b) => (a.name < b.name ? -1 : 1));

// Each case is copied (links as they are) so the validator's scratch folder never lands in the source tree.
const work = mkdtempSync(join(tmpdir(), 'yolops-corpus-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const byPosition = (a: { file: string; line?: number; code: string }, b: { file: string; line?: number; code: string }): number =>
  a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0) || a.code.localeCompare(b.code);

describe('the shared dataset corpus', () => {
  it('has cases for every problem code the validator reports', () => {
    const covered = new Set(cases.flatMap((c) => c.expected.problems.map((p) => p.code)));
    const typescriptCodes = PROBLEM_CODES.filter((code) => DATASET_CONTRACT.problems[code]?.checkedBy.includes('typescript'));
    expect(typescriptCodes.filter((code) => !covered.has(code))).toEqual([]);
  });

  it.each(cases)('$name', async ({ name, expected }) => {
    const mine = expected.problems.filter((p) => p.only !== 'python').map(({ only: _only, ...problem }) => problem);
    if (mine.length < expected.problems.length) expect(expected.differences?.typescript, 'expected.json must say why this side sees less').toBeDefined();
    cpSync(join(CORPUS, name), join(work, name), { recursive: true, verbatimSymlinks: true });
    const dataset = join(work, name, 'dataset');
    const { result } = await validateDirectory(dataset);
    const found = result.problems.map((p) => ({ code: p.code, severity: p.severity, file: relative(dataset, p.file).split(sep).join('/'), ...(p.line === undefined ? {} : { line: p.line }) }));
    expect(found.sort(byPosition), JSON.stringify(result.problems, null, 2)).toEqual(mine.sort(byPosition));
    expect(result.valid).toBe(!mine.some((p) => p.severity === 'error'));
    // A local folder's report names the folder and its files by their paths, never the scratch bucket's s3:// URI.
    expect(result.problems.filter((p) => !p.file.startsWith(`${dataset}${sep}`))).toEqual([]);
    expect(JSON.stringify(result)).not.toContain('s3://');
  });
});
