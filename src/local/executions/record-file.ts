import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { LocalError } from '../errors.ts';
import { isErrnoCode } from '../fs/atomic-file.ts';

/** A record read back from disk (an execution, a dataset claim) that is not what its schema says: names the file and each key. */
export class RecordFileError extends LocalError {
  readonly file: string;
  readonly problems: readonly string[];

  constructor(file: string, problems: readonly string[], options?: { cause?: unknown }) {
    // The person can act on it (the message says which file and what is wrong), so no stack trace.
    super(`${file} is not a valid record: ${problems.join('; ')}. Fix or delete the file.`, { ...options, audience: 'user' });
    this.file = file;
    this.problems = problems;
  }
}

/** Parses a record read from `file` with `schema`; every problem is listed with its key path. */
export function parseRecord<S extends z.ZodType>(schema: S, raw: unknown, file: string): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : '(top level)'}: ${issue.message}`);
  throw new RecordFileError(file, problems, { cause: result.error });
}

/** The text of a record file, or undefined when it does not exist. */
export async function readRecordText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if (isErrnoCode(error, 'ENOENT')) return undefined;
    throw error;
  }
}

/** Parses record text as JSON and validates it; RecordFileError when it is neither. */
export function parseRecordText<S extends z.ZodType>(schema: S, text: string, file: string): z.output<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new RecordFileError(file, [text.trim() === '' ? 'the file is empty' : `not JSON (${(error as Error).message})`], { cause: error });
  }
  return parseRecord(schema, raw, file);
}

/** Reads and validates a JSON record; undefined when the file does not exist. */
export async function readRecordIfExists<S extends z.ZodType>(schema: S, file: string): Promise<z.output<S> | undefined> {
  const text = await readRecordText(file);
  return text === undefined ? undefined : parseRecordText(schema, text, file);
}
