import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATASET_CONTRACT, DatasetContractError, parseDatasetContract, PROBLEM_CODES } from '../../../../src/core/dataset/contract.ts';

const root = join(import.meta.dirname, '../../../..');
const contractFile = join(root, 'training/yolops_training/dataset_contract.json');

describe('the dataset contract file', () => {
  it('is the one the validator uses: the codes, severities and extensions come from it', () => {
    const file = JSON.parse(readFileSync(contractFile, 'utf8')) as { problems: Record<string, { severity: string }>; images: Record<string, unknown> };
    expect(PROBLEM_CODES).toEqual(Object.keys(file.problems));
    expect(DATASET_CONTRACT.problems['corrupt-image']?.severity).toBe(file.problems['corrupt-image']?.severity);
    expect(Object.keys(DATASET_CONTRACT.images)).toEqual(Object.keys(file.images));
  });

  it('refuses a file of the wrong shape and names the key', () => {
    const file = JSON.parse(readFileSync(contractFile, 'utf8')) as { problems: Record<string, { severity: string }>; tolerances: { minImageSide: unknown } };
    (file.problems['corrupt-image'] as { severity: string }).severity = 'fatal';
    file.tolerances.minImageSide = 'ten';
    expect(() => parseDatasetContract(file)).toThrow(DatasetContractError);
    expect(() => parseDatasetContract(file)).toThrow(/tolerances\.minImageSide: .*; problems\.corrupt-image\.severity: /);
  });

  it('has every problem code explained in docs/dataset-contract.md', () => {
    const docs = readFileSync(join(root, 'docs/dataset-contract.md'), 'utf8');
    expect(PROBLEM_CODES.filter((code) => !docs.includes(`| \`${code}\` |`))).toEqual([]);
  });
});
