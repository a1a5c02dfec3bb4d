import { describe, expect, it } from 'vitest';
import { parseLabelFile } from '../../../../src/core/dataset/label-file.ts';

const parse = (text: string) => parseLabelFile(text, { classCount: 3 });

describe('parseLabelFile', () => {
  it('reads boxes, skipping blank lines, a BOM and CRLF line ends', () => {
    const result = parse('\uFEFF0 0.5 0.5 0.2 0.2\r\n\r\n  2   0.1 0.1 0.05 0.05  \r\n');
    expect(result.problems).toEqual([]);
    expect(result.lineCount).toBe(2);
    expect(result.objects).toEqual([
      { classId: 0, shape: 'box', line: 1 },
      { classId: 2, shape: 'box', line: 3 },
    ]);
  });

  it('treats an empty or blank file as a background image', () => {
    expect(parse('')).toEqual({ objects: [], lineCount: 0, problems: [] });
    expect(parse(' \n\t\n')).toEqual({ objects: [], lineCount: 0, problems: [] });
  });

  it('accepts exponents and the edges 0 and 1', () => {
    expect(parse('1 1 0 1e-1 1.0\n0 .5 5E-1 0.25 1\n').problems).toEqual([]);
  });

  it('explains a 6th field as a confidence score, and odd polygons', () => {
    expect(parse('0 0.5 0.5 0.2 0.2 0.93\n').problems[0]).toMatchObject({ code: 'wrong-field-count', hint: expect.stringContaining('confidence score') });
    expect(parse('0 0.1 0.1 0.2 0.2 0.3 0.3 0.4\n').problems[0]).toMatchObject({ code: 'wrong-field-count', message: expect.stringContaining('8 fields') });
    expect(parse('0\n').problems[0]).toMatchObject({ code: 'wrong-field-count', message: 'line has 1 field: "0"; a box has 5 (class cx cy w h)' });
  });

  it('names the non-numeric field', () => {
    expect(parse('0 0.5 abc 0.2 0.2\n').problems).toEqual([
      expect.objectContaining({ code: 'non-numeric-field', line: 1, message: 'field 3 (cy) is "abc", not a number' }),
    ]);
    expect(parse('0 0.5 0.5 nan 0.2\n').problems[0]?.code).toBe('non-numeric-field');
  });

  it('refuses class ids that are not whole numbers, with the fix for 1.0', () => {
    expect(parse('1.0 0.5 0.5 0.2 0.2\n')).toMatchObject({
      objects: [{ classId: 1 }],
      problems: [{ code: 'non-integer-class', severity: 'warning', message: 'class id is written "1.0"; the format wants a whole number', hint: 'write 1 instead of 1.0' }],
    });
    expect(parse('3.0 0.5 0.5 0.2 0.2\n').problems.map((p) => p.code)).toEqual(['non-integer-class', 'class-out-of-range']);
    expect(parse('1.5 0.5 0.5 0.2 0.2\n').problems[0]).toMatchObject({ code: 'non-integer-class', message: 'class id 1.5 is not a whole number' });
    expect(parse('-1 0.5 0.5 0.2 0.2\n').problems[0]).toMatchObject({ code: 'class-out-of-range', message: 'class id -1 is out of range: data.yaml names 3 classes (ids 0..2)' });
  });

  it('skips the class range check when the class count is unknown', () => {
    expect(parseLabelFile('99 0.5 0.5 0.2 0.2\n', { classCount: undefined }).problems).toEqual([]);
  });

  it('reports several kinds of problem on one line, each once', () => {
    const { problems } = parse('7 1.5 0.5 -0.2 0.2\n');
    expect(problems.map((p) => p.code)).toEqual(['class-out-of-range', 'coordinate-out-of-range', 'non-positive-size']);
    expect(problems[1]?.message).toBe('cx=1.5, w=-0.2 are outside 0..1');
  });

  it('checks polygon coordinates and names them x1, y1, ...', () => {
    const { problems, objects } = parse('0 0.1 0.1 0.5 1.2 0.3 0.6\n');
    expect(objects).toEqual([]);
    expect(problems[0]).toMatchObject({ code: 'coordinate-out-of-range', message: 'y2=1.2 is outside 0..1' });
  });

  it('warns about a repeated line and counts the object once', () => {
    const result = parse('0 0.5 0.5 0.2 0.2\n1 0.3 0.3 0.1 0.1\n0  0.5 0.5 0.2 0.2\n');
    expect(result.objects).toHaveLength(2);
    expect(result.problems).toEqual([expect.objectContaining({ code: 'duplicate-label-line', line: 3, message: 'line 3 repeats line 1: "0 0.5 0.5 0.2 0.2"' })]);
  });
});
