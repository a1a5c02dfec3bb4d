import type { ExecutionVariableName } from '../names.ts';

/**
 * Values of the pipeline DSL: literals, or expressions SageMaker resolves when a step starts. Each expression
 * carries the type it resolves to, so TypeScript refuses, say, an Integer parameter where a step wants a string.
 */

export type ScalarType = 'String' | 'Integer' | 'Float' | 'Boolean';

/** The TypeScript type of a literal of each scalar type. */
export type LiteralOf<T extends ScalarType> = T extends 'String' ? string : T extends 'Boolean' ? boolean : number;

/** `Parameters.<name>`: the value given when the execution starts, or the parameter's default. */
export interface ParameterRef<T extends ScalarType = ScalarType> {
  readonly kind: 'parameter';
  readonly name: string;
  readonly type: T;
}

/** `Execution.<name>`, e.g. the execution id; always a string. */
export interface ExecutionVariableRef {
  readonly kind: 'executionVariable';
  readonly name: ExecutionVariableName;
}

/** `Steps.<step>.<path>`: a property of another step's job, known once that step has run. */
export interface StepPropertyRef<T extends ScalarType = ScalarType> {
  readonly kind: 'stepProperty';
  readonly step: string;
  /** Path below the step, e.g. `ModelArtifacts.S3ModelArtifacts`. */
  readonly path: string;
  readonly type: T;
}

/** A property file declared by a processing step (a JSON file in one of its outputs). */
export interface PropertyFileRef {
  readonly kind: 'propertyFile';
  readonly step: string;
  readonly name: string;
}

/** `Std:JsonGet`: a value read out of a property file; its type is only known at run time. */
export interface JsonGetExpr {
  readonly kind: 'jsonGet';
  readonly propertyFile: PropertyFileRef;
  readonly path: string;
}

/** `Std:Join`: its parts as strings, joined with `on`; always a string. */
export interface JoinExpr {
  readonly kind: 'join';
  readonly on: string;
  readonly values: readonly JoinPart[];
}

export type Expression = ParameterRef | ExecutionVariableRef | StepPropertyRef | JsonGetExpr | JoinExpr;
/** Joins do not nest: SageMaker's Std:Join takes literals, Get and JsonGet only (join() flattens for you). */
export type JoinPart = string | number | boolean | ParameterRef | ExecutionVariableRef | StepPropertyRef | JsonGetExpr;

export type StringValue = string | ParameterRef<'String'> | ExecutionVariableRef | StepPropertyRef<'String'> | JoinExpr | JsonGetExpr;
export type IntegerValue = number | ParameterRef<'Integer'> | StepPropertyRef<'Integer'> | JsonGetExpr;
export type FloatValue = number | ParameterRef<'Integer' | 'Float'> | StepPropertyRef<'Integer' | 'Float'> | JsonGetExpr;
export type BooleanValue = boolean | ParameterRef<'Boolean'> | StepPropertyRef<'Boolean'> | JsonGetExpr;
export type AnyValue = StringValue | IntegerValue | FloatValue | BooleanValue;

const EXPRESSION_KINDS: ReadonlySet<string> = new Set(['parameter', 'executionVariable', 'stepProperty', 'jsonGet', 'join']);

export function isExpression(value: unknown): value is Expression {
  return typeof value === 'object' && value !== null && EXPRESSION_KINDS.has((value as { kind?: unknown }).kind as string);
}

export function isPropertyFileRef(value: unknown): value is PropertyFileRef {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'propertyFile';
}

/** The type an expression or literal resolves to; undefined for JsonGet, which is only known at run time. */
export function valueType(value: AnyValue | JoinPart): ScalarType | undefined {
  if (typeof value === 'string') return 'String';
  if (typeof value === 'boolean') return 'Boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'Integer' : 'Float';
  switch (value.kind) {
    case 'parameter':
    case 'stepProperty':
      return value.type;
    case 'executionVariable':
    case 'join':
      return 'String';
    case 'jsonGet':
      return undefined;
  }
}

export function executionVariable(name: ExecutionVariableName): ExecutionVariableRef {
  return { kind: 'executionVariable', name };
}

/** Shorthands for the execution variables pipelines use most. */
export const Execution = {
  PipelineExecutionId: executionVariable('PipelineExecutionId'),
  PipelineExecutionArn: executionVariable('PipelineExecutionArn'),
  PipelineName: executionVariable('PipelineName'),
  PipelineArn: executionVariable('PipelineArn'),
  StartDateTime: executionVariable('StartDateTime'),
} as const;

/**
 * A property of another step. Prefer the typed `properties` of the step objects (e.g.
 * `train.properties.ModelArtifacts.S3ModelArtifacts`); this is the escape hatch for properties they do not list.
 * Without `type`, the property is a String.
 */
export function stepProperty(step: string, path: string): StepPropertyRef<'String'>;
export function stepProperty<T extends ScalarType>(step: string, path: string, type: T): StepPropertyRef<T>;
export function stepProperty(step: string, path: string, type: ScalarType = 'String'): StepPropertyRef {
  return { kind: 'stepProperty', step, path, type };
}

export function propertyFile(step: string, name: string): PropertyFileRef {
  return { kind: 'propertyFile', step, name };
}

/** Reads `path` (JSONPath, e.g. `metrics.mAP50_95`) out of a property file when the step using it starts. */
export function jsonGet(file: PropertyFileRef, path: string): JsonGetExpr {
  return { kind: 'jsonGet', propertyFile: file, path };
}

/**
 * `Std:Join` of `values` with `on` between them. Nested joins with an empty separator are flattened into this
 * one, and adjacent literal strings merged, so `join(['"', join([CodeUri, 'a.tgz']), '"'])` stays one flat join.
 */
export function join(values: readonly (JoinPart | JoinExpr)[], on = ''): JoinExpr {
  const flat: JoinPart[] = [];
  for (const value of values) {
    if (typeof value === 'object' && value.kind === 'join') {
      if (on !== '' || value.on !== '') {
        throw new TypeError(`join(): cannot nest a join with separator ${JSON.stringify(value.on)} inside one with ${JSON.stringify(on)}; SageMaker's Std:Join does not nest`);
      }
      flat.push(...value.values);
    } else {
      flat.push(value);
    }
  }
  if (on !== '') return { kind: 'join', on, values: flat };
  const merged: JoinPart[] = [];
  for (const value of flat) {
    const last = merged[merged.length - 1];
    if (typeof value === 'string' && typeof last === 'string') merged[merged.length - 1] = last + value;
    else if (value !== '') merged.push(value);
  }
  return { kind: 'join', on, values: merged };
}
