import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { LocalError } from '../errors.ts';
import { isErrnoCode } from './errno.ts';

/**
 * A record on disk (a registry version, an execution, a claim) that is not what this code writes: not JSON, or
 * JSON that does not fit the record's schema. The message names the file and every problem, so a person can
 * repair or remove it; that makes it the person's to act on (no stack trace).
 */
export class CorruptRecordError extends LocalError {
  readonly path: string;
  readonly problems: readonly string[];

  constructor(path: string, what: string, problems: readonly string[], options?: { cause?: unknown }) {
    super(`${path} is not a valid ${what}; repair or remove the file:\n${problems.map((p) => `  - ${p}`).join('\n')}`, { ...options, audience: 'user' });
    this.path = path;
    this.problems = problems;
  }
}

/** The text of a record file, or undefined when it does not exist. */
export async function readRecordText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isErrnoCode(error, 'ENOENT')) return undefined;
    throw error;
  }
}

/** Parses record text as JSON and validates it with `schema`; CorruptRecordError naming `path` when it is neither. */
export function parseRecordText<S extends z.ZodType>(schema: S, text: string, path: string, what: string): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CorruptRecordError(path, what, [text.trim() === '' ? 'the file is empty' : `not JSON: ${(error as Error).message}`], { cause: error });
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    throw new CorruptRecordError(
      path,
      what,
      result.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : '(top level)'}: ${issue.message}`),
      { cause: result.error },
    );
  }
  return result.data;
}

/**
 * Reads the JSON record at `path` and validates it with `schema`; undefined when the file does not exist.
 * `what` names the kind of record in the error (e.g. "model version record").
 */
export async function readRecordFileIfExists<S extends z.ZodType>(path: string, schema: S, what: string): Promise<z.output<S> | undefined> {
  const text = await readRecordText(path);
  return text === undefined ? undefined : parseRecordText(schema, text, path, what);
}
