import type { z } from 'zod';
import { CoreError } from '../errors.ts';

/** One thing wrong in a config file: where, what was there, and what is allowed. */
export interface ConfigProblem {
  /** Dotted key path inside the file, e.g. `context.aws_account_id`. */
  key: string;
  /** The value found there (undefined when the key is missing). */
  value: unknown;
  /** What is wrong and what is allowed. */
  message: string;
}

/** Every problem of one config file at once, so a user fixes them in one pass. */
export class ConfigError extends CoreError {
  readonly file: string;
  readonly problems: readonly ConfigProblem[];

  constructor(file: string, problems: readonly ConfigProblem[], options?: { cause?: unknown }) {
    super(
      `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n` +
        problems.map((p) => `  - ${formatProblem(p)}`).join('\n'),
      { audience: 'user', ...options },
    );
    this.file = file;
    this.problems = problems;
  }
}

function formatProblem(p: ConfigProblem): string {
  const found = p.value === undefined ? 'missing' : `got ${JSON.stringify(p.value)}`;
  return `${p.key || '(top level)'}: ${p.message} (${found})`;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

/**
 * Parses `input` with `schema`, or throws a ConfigError naming the file, each key, its value and what is
 * allowed. `prefix` is the key path of `input` inside the file (e.g. `context` for cdk.json).
 */
export function parseConfig<S extends z.ZodType>(schema: S, input: unknown, file: string, prefix: string[] = []): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems: ConfigProblem[] = [];
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        problems.push({
          key: [...prefix, ...path].map(String).join('.'),
          value: valueAt(input, path),
          message: `unknown key; allowed keys here: ${allowedKeys(schema, issue.path, valueAt(input, issue.path))}`,
        });
      }
      continue;
    }
    problems.push({
      key: [...prefix, ...issue.path].map(String).join('.'),
      value: valueAt(input, issue.path),
      message: issue.message,
    });
  }
  throw new ConfigError(file, problems);
}

interface DiscriminatedUnionDef {
  type: string;
  discriminator?: string;
  options?: { shape?: Record<string, { _zod?: { def?: { values?: unknown[] } } }> }[];
}

/** The member of a discriminated union that `value`'s discriminator picks; `schema` itself otherwise. */
function unionMember(schema: unknown, value: unknown): unknown {
  const def = (schema as { _zod?: { def?: DiscriminatedUnionDef } } | undefined)?._zod?.def;
  if (def?.type !== 'union' || def.discriminator === undefined || value === null || typeof value !== 'object') return schema;
  const wanted = (value as Record<string, unknown>)[def.discriminator];
  return def.options?.find((option) => option.shape?.[def.discriminator as string]?._zod?.def?.values?.includes(wanted)) ?? schema;
}

function allowedKeys(schema: z.ZodType, path: readonly PropertyKey[], value: unknown): string {
  let current: unknown = schema;
  for (const part of path) {
    const shape = (current as { shape?: Record<string, unknown> }).shape;
    current = shape?.[String(part)];
    // unwrap optional/default wrappers
    while (current && typeof current === 'object' && 'unwrap' in current && !('shape' in current)) {
      current = (current as { unwrap: () => unknown }).unwrap();
    }
  }
  const shape = (unionMember(current, value) as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape ? Object.keys(shape).join(', ') : '(see the docs)';
}
