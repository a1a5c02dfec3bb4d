import { describeJson, isJsonObject, type JsonObject, type JsonValue } from '../json.ts';
import { StepFailure } from '../pipeline/errors.ts';

/**
 * Typed reads of a step's resolved arguments. A missing or mistyped value, or a setting the runner cannot
 * honour, fails the step with the argument's path, e.g. `Arguments.InputDataConfig[0].DataSource`.
 */
export class ArgumentReader {
  readonly value: JsonObject;
  readonly path: string;
  private readonly stepName: string;

  constructor(value: JsonObject, path: string, stepName: string) {
    this.value = value;
    this.path = path;
    this.stepName = stepName;
  }

  fail(key: string, message: string): never {
    throw new StepFailure(`step "${this.stepName}", ${this.path}.${key}: ${message}`);
  }

  private raw(key: string): JsonValue | undefined {
    return Object.hasOwn(this.value, key) ? this.value[key] : undefined;
  }

  has(key: string): boolean {
    return this.raw(key) !== undefined && this.raw(key) !== null;
  }

  string(key: string): string {
    const v = this.raw(key);
    if (typeof v !== 'string') this.fail(key, `must be a string, found ${describeJson(v)}`);
    return v;
  }

  optionalString(key: string): string | undefined {
    return this.has(key) ? this.string(key) : undefined;
  }

  number(key: string): number {
    const v = this.raw(key);
    if (typeof v !== 'number') this.fail(key, `must be a number, found ${describeJson(v)}`);
    return v;
  }

  optionalNumber(key: string): number | undefined {
    return this.has(key) ? this.number(key) : undefined;
  }

  object(key: string): ArgumentReader {
    const v = this.raw(key);
    if (!isJsonObject(v)) this.fail(key, `must be an object, found ${describeJson(v)}`);
    return new ArgumentReader(v, `${this.path}.${key}`, this.stepName);
  }

  optionalObject(key: string): ArgumentReader | undefined {
    return this.has(key) ? this.object(key) : undefined;
  }

  objects(key: string): ArgumentReader[] {
    const v = this.raw(key);
    if (v === undefined) return [];
    if (!Array.isArray(v)) this.fail(key, `must be a list, found ${describeJson(v)}`);
    return v.map((item, i) => {
      if (!isJsonObject(item)) this.fail(`${key}[${i}]`, `must be an object, found ${describeJson(item)}`);
      return new ArgumentReader(item, `${this.path}.${key}[${i}]`, this.stepName);
    });
  }

  strings(key: string): string[] {
    const v = this.raw(key);
    if (v === undefined) return [];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) this.fail(key, `must be a list of strings, found ${describeJson(v)}`);
    return v as string[];
  }

  /** A map of string values (Environment, HyperParameters): SageMaker's API takes strings only. */
  stringMap(key: string): Record<string, string> {
    const v = this.raw(key);
    if (v === undefined) return {};
    if (!isJsonObject(v)) this.fail(key, `must be an object of strings, found ${describeJson(v)}`);
    const out: Record<string, string> = {};
    for (const [k, item] of Object.entries(v)) {
      if (typeof item !== 'string') this.fail(`${key}.${k}`, `must be a string (SageMaker takes string values only), found ${describeJson(item)}`);
      out[k] = item;
    }
    return out;
  }

  /** Fails unless the value is absent or one of `allowed` (a setting with another value cannot run locally). */
  oneOf(key: string, allowed: readonly string[], what: string): void {
    const v = this.raw(key);
    if (v !== undefined && !(typeof v === 'string' && allowed.includes(v))) this.fail(key, `${what} ${describeJson(v)} is not supported by the local runner (supported: ${allowed.join(', ')})`);
  }

  /** Fails when a key is present that the local runner cannot honour. */
  refuse(key: string, why: string): void {
    if (this.has(key)) this.fail(key, `not supported by the local runner: ${why}`);
  }
}
