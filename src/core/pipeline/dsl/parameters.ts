import type { LiteralOf, ParameterRef, ScalarType } from './values.ts';

/**
 * A pipeline parameter: declared once in the pipeline, used anywhere as a value (it is its own reference).
 * Without a default, every execution must pass a value.
 */
export interface Parameter<T extends ScalarType = ScalarType> extends ParameterRef<T> {
  readonly defaultValue?: LiteralOf<T>;
}

function parameter<T extends ScalarType>(type: T, name: string, defaultValue: LiteralOf<T> | undefined): Parameter<T> {
  return defaultValue === undefined ? { kind: 'parameter', name, type } : { kind: 'parameter', name, type, defaultValue };
}

export function stringParameter(name: string, defaultValue?: string): Parameter<'String'> {
  return parameter('String', name, defaultValue);
}

export function integerParameter(name: string, defaultValue?: number): Parameter<'Integer'> {
  return parameter('Integer', name, defaultValue);
}

export function floatParameter(name: string, defaultValue?: number): Parameter<'Float'> {
  return parameter('Float', name, defaultValue);
}

export function booleanParameter(name: string, defaultValue?: boolean): Parameter<'Boolean'> {
  return parameter('Boolean', name, defaultValue);
}
