import { describe, expect, it } from 'vitest';
import { ProblemCollector } from '../../../../src/core/dataset/problems.ts';

describe('ProblemCollector', () => {
  it('keeps the same first N per kind whatever order problems arrive in, and counts the rest', () => {
    const files = Array.from({ length: 9 }, (_, i) => `labels/${i}.txt`);
    const collect = (order: string[]) => {
      const collector = new ProblemCollector(3);
      for (const file of order) collector.add(file, { code: 'class-out-of-range', line: 2, message: 'm', hint: 'h' });
      collector.add('data.yaml', { code: 'split-path-missing', severity: 'warning', line: 3, message: 'm', hint: 'h' });
      return collector;
    };
    const forward = collect(files);
    const backward = collect([...files].reverse());
    expect(backward.problems()).toEqual(forward.problems());
    expect(forward.problems().map((p) => p.file)).toEqual(['data.yaml', 'labels/0.txt', 'labels/1.txt', 'labels/2.txt']);
    expect(forward.omittedProblems()).toEqual([{ code: 'class-out-of-range', severity: 'error', count: 6 }]);
    expect([forward.errors, forward.warnings]).toEqual([9, 1]);
  });

  it('refuses a limit below 1', () => {
    expect(() => new ProblemCollector(0)).toThrow(/limit must be a whole number >= 1/);
  });
});
