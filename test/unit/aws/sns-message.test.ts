import { describe, expect, it } from 'vitest';
import { fitJson, snsSubject } from '../../../src/aws/sns-message.ts';

describe('snsSubject', () => {
  it('keeps a short ASCII line as it is', () => {
    expect(snsSubject('yolops: execution abc of p succeeded')).toBe('yolops: execution abc of p succeeded');
  });

  it('makes one line of plain ASCII: breaks become spaces, accents go, other characters become ?', () => {
    expect(snsSubject('  Jeu de données\r\n\trefusé: 3 ✗  ')).toBe('Jeu de donnees refuse: 3 ?');
  });

  it('cuts a longer line to 100 characters ending in ...', () => {
    // The cut falls just after a space, which is dropped rather than left before the dots.
    expect(snsSubject(`${'x'.repeat(96)} ${'y'.repeat(50)}`)).toBe(`${'x'.repeat(96)}...`);
    expect(snsSubject('z'.repeat(300))).toBe(`${'z'.repeat(97)}...`);
  });

  it('falls back when nothing printable is left', () => {
    expect(snsSubject(' \n ')).toBe('yolops');
  });
});

describe('fitJson', () => {
  const bytes = (text: string): number => Buffer.byteLength(text);

  it('returns pretty JSON untouched when it fits', () => {
    expect(fitJson({ a: [1, 2] }, 1000)).toEqual({ text: JSON.stringify({ a: [1, 2] }, null, 2), truncated: false });
  });

  it('cuts lists, nested ones too, and says which', () => {
    const value = { runs: Array.from({ length: 500 }, (_, i) => ({ id: i, tags: Array.from({ length: 50 }, (_, j) => `t${j}`) })) };
    const { text, truncated } = fitJson(value, 20_000);
    expect(truncated).toBe(true);
    expect(bytes(text)).toBeLessThanOrEqual(20_000);
    const fitted = JSON.parse(text) as { runs: { id: number; tags: string[] }[]; truncated: { lists: string[] } };
    expect(fitted.runs.length).toBeLessThan(500);
    expect(fitted.runs[0]?.id).toBe(0);
    expect(fitted.truncated.lists[0]).toMatch(/^\$\.runs: \d+ of 500 items kept$/);
    expect(fitted.truncated.lists.some((l) => /^\$\.runs\[0\]\.tags: \d+ of 50 items kept$/.test(l))).toBe(true);
  });

  it('cuts long strings when cutting lists is not enough', () => {
    const { text } = fitJson({ failureReason: 'e'.repeat(100_000) }, 10_000);
    const fitted = JSON.parse(text) as { failureReason: string; truncated: { strings: string } };
    expect(fitted.failureReason).toMatch(/^e{4096}\.\.\. \(95904 more characters\)$/);
    expect(fitted.truncated.strings).toBe('strings longer than 4096 characters were cut');
  });

  it('wraps what is not an object, and gives up on the content as a last resort', () => {
    const wrapped = JSON.parse(fitJson(Array.from({ length: 1000 }, (_, i) => i), 2000).text) as { truncated: { lists: string[] }; message: number[] };
    expect(wrapped.message.length).toBeLessThan(1000);
    expect(wrapped.truncated.lists).toEqual([`$: ${wrapped.message.length} of 1000 items kept`]);

    const manyKeys = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`key${i}`, i]));
    const { text, truncated } = fitJson(manyKeys, 1000);
    expect(truncated).toBe(true);
    expect(JSON.parse(text)).toEqual({ truncated: { reason: expect.stringMatching(/too large to summarise, the whole message was left out$/), lists: [] } });
  });
});
