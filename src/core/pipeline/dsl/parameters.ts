import type { LiteralOf, ParameterRef, ScalarType } from './values.ts';

/**
 * A pipeline parameter: declared once in the pipeline, used anywhere as a value (it is its own reference).
 * Without a default, every execution must pass a value.
 */
export interface Parameter<T extends ScalarType = ScalarType> extends ParameterRef<T> {
  readonly defaultValue?: LiteralOf<T>;
}

/** A parameter of the given type; stringParameter() and its siblings are the usual way to write one. */
export function scalarParameter<T extends ScalarType>(type: T, name: string, defaultValue: LiteralOf<T> | undefined): Parameter<T> {
  return defaultValue === undefined ? { kind: 'parameter', name, type } : { kind: 'parameter', name, type, defaultValue };
}

export function stringParameter(name: string, defaultValue?: string): Parameter<'String'> {
  return scalarParameter('String', name, defaultValue);
}

export function integerParameter(name: string, defaultValue?: number): Parameter<'Integer'> {
  return scalarParameter('Integer', name, defaultValue);
}

export function floatParameter(name: string, defaultValue?: number): Parameter<'Float'> {
  return scalarParameter('Float', name, defaultValue);
}

export function booleanParameter(name: string, defaultValue?: boolean): Parameter<'Boolean'> {
  return scalarParameter('Boolean', name, defaultValue);
}
