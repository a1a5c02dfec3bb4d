import published from '../schema/sagemaker-pipeline-definition.schema.json' with { type: 'json' };
import { MAX_CUSTOMER_METADATA, MAX_MODEL_CONTAINER_ENVIRONMENT } from '../names.ts';
import { RETRY_LIMITS } from '../retry-policies.ts';

/**
 * AWS's published JSON schema for pipeline definitions, extended in code (the copy stays as published) where it
 * lags behind what SageMaker accepts and what the SageMaker Python SDK itself emits:
 *
 * 1. `PropertyFiles` on Processing steps (how a step exposes a JSON report to later steps).
 * 2. `Std:JsonGet` (reads a value from a property file) wherever a step argument or condition operand may be an
 *    expression, and inside `Std:Join`. Not in parameter defaults, metadata, names or the experiment config.
 * 3. `Std:Join` as a string argument: the published schema defines `JoinFunction` but never references it (and
 *    its body is malformed: `Values` is not under `properties`), so without this every SDK definition that
 *    builds an S3 URI from the execution id would be rejected.
 * 4. `PipelineExperimentConfig` at the top level, which the SDK writes by default.
 * 5. `ModelApprovalStatus` and `CustomerMetadataProperties` on RegisterModel steps, which the SDK writes and
 *    CreateModelPackage takes; the published schema forbids every key it does not list.
 * 6. `Environment` on Training steps (CreateTrainingJob's environment variables, which the SDK writes when an
 *    estimator has `environment`), shaped like the Processing steps' `Environment` the schema already has.
 * 7. `RetryPolicy.ExceptionType` as a list of exception types: the published schema says one string, while the
 *    SageMaker Developer Guide ("Retry Policy for Pipeline Steps") and the SDK (`RetryPolicy.to_request`) write a
 *    list. The guide's limits on IntervalSeconds, MaxAttempts and ExpireAfterMin are added (retry-policies.ts).
 * 8. `Environment` on the containers of RegisterModel steps (CreateModelPackage's ModelPackageContainerDefinition,
 *    which the SDK writes for every `Model` it registers, and which a serving container needs), at most 16 variables (names.ts).
 *
 * And two rewrites that change no verdict, only the error messages: the step lists' `oneOf` over 16 step
 * schemas (and the parameter list's over 4) dispatch on `Type` instead, so a bad Training step reports what is
 * wrong with it as a Training step rather than why it is not each of the 15 other kinds.
 */

type JsonObject = { [key: string]: unknown };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function at(root: JsonObject, ...path: string[]): JsonObject {
  let current: unknown = root;
  for (const key of path) {
    current = isObject(current) ? current[key] : undefined;
    if (!isObject(current)) throw new Error(`the published pipeline schema has no object at ${path.join('.')}; it changed, so review extended-schema.ts`);
  }
  return current as JsonObject;
}

const ref = (name: string): JsonObject => ({ $ref: `#/definitions/${name}` });

function oneOfList(definition: JsonObject, path: string): unknown[] {
  const list = definition.oneOf;
  if (!Array.isArray(list)) throw new Error(`the published pipeline schema's ${path} is no longer a oneOf; review extended-schema.ts`);
  return list;
}

/** `oneOf` of step schemas -> dispatch on `Type` (steps that share a Type keep their `oneOf`). */
function dispatchOnType(definitions: JsonObject, items: JsonObject, path: string): JsonObject {
  const byType = new Map<string, JsonObject[]>();
  for (const branch of oneOfList(items, path)) {
    const name = isObject(branch) && typeof branch.$ref === 'string' ? branch.$ref.replace('#/definitions/', '') : undefined;
    const step = name === undefined ? undefined : definitions[name];
    const type = isObject(step) ? at(step, 'properties', 'Type').enum : undefined;
    const required = isObject(step) ? step.required : undefined;
    if (name === undefined || !Array.isArray(type) || type.length !== 1 || typeof type[0] !== 'string' || !Array.isArray(required) || !required.includes('Type')) {
      throw new Error(`cannot dispatch ${path} on Type: branch ${JSON.stringify(branch)} is not a step with one required Type; review extended-schema.ts`);
    }
    byType.set(type[0], [...(byType.get(type[0]) ?? []), ref(name)]);
  }
  return {
    type: 'object',
    required: ['Type'],
    properties: { Type: { enum: [...byType.keys()] } },
    allOf: [...byType].map(([type, refs]) => ({
      if: { properties: { Type: { const: type } }, required: ['Type'] },
      then: refs.length === 1 ? refs[0] : { oneOf: refs },
    })),
  };
}

function parametersDispatch(): JsonObject {
  const types = ['String', 'Integer', 'Float', 'Boolean'];
  return {
    type: 'object',
    properties: { Type: { enum: types } },
    allOf: [
      // Type may be left out for String parameters (the published StringParameter does not require it).
      { if: { not: { required: ['Type'] } }, then: ref('StringParameter') },
      ...types.map((type) => ({ if: { properties: { Type: { const: type } }, required: ['Type'] }, then: ref(`${type}Parameter`) })),
    ],
  };
}

let cached: JsonObject | undefined;

/** The extended schema (built once; callers must not change it). */
export function extendedPipelineSchema(): JsonObject {
  cached ??= buildExtendedSchema();
  return cached;
}

function buildExtendedSchema(): JsonObject {
  const schema = structuredClone(published) as JsonObject;
  // "http://json-schema.org/schema#" names no draft that validators know; the schema is draft-07 in practice.
  delete schema.$schema;
  const definitions = at(schema, 'definitions');

  definitions.JsonGetFunction = {
    type: 'object',
    required: ['Std:JsonGet'],
    additionalProperties: false,
    properties: {
      'Std:JsonGet': {
        type: 'object',
        required: ['PropertyFile', 'Path'],
        additionalProperties: false,
        properties: { PropertyFile: ref('GetFunction'), Path: { type: 'string', minLength: 1 } },
      },
    },
  };
  definitions.JoinFunction = {
    type: 'object',
    required: ['Std:Join'],
    additionalProperties: false,
    properties: {
      'Std:Join': {
        type: 'object',
        required: ['On', 'Values'],
        additionalProperties: false,
        properties: {
          On: { type: 'string' },
          Values: { type: 'array', items: { oneOf: [{ type: ['string', 'number', 'boolean'] }, ref('GetFunction'), ref('JsonGetFunction')] } },
        },
      },
    },
  };
  oneOfList(at(definitions, 'StringArgumentValue'), 'StringArgumentValue').push(ref('JoinFunction'), ref('JsonGetFunction'));
  for (const name of ['IntegerArgumentValue', 'FloatArgumentValue', 'BooleanArgumentValue']) oneOfList(at(definitions, name), name).push(ref('JsonGetFunction'));

  at(definitions, 'ProcessingStep', 'properties').PropertyFiles = {
    type: 'array',
    items: {
      type: 'object',
      required: ['PropertyFileName', 'OutputName', 'FilePath'],
      additionalProperties: false,
      properties: { PropertyFileName: { type: 'string', minLength: 1 }, OutputName: { type: 'string', minLength: 1 }, FilePath: { type: 'string', minLength: 1 } },
    },
  };

  at(definitions, 'TrainingStep', 'properties', 'Arguments', 'properties').Environment = {
    type: 'object',
    additionalProperties: ref('StringArgumentValue'),
  };

  const retryPolicy = at(definitions, 'RetryPolicy', 'properties');
  const exceptionTypes = at(retryPolicy, 'ExceptionType').enum;
  if (!Array.isArray(exceptionTypes)) throw new Error('the published pipeline schema no longer lists RetryPolicy exception types; review extended-schema.ts');
  retryPolicy.ExceptionType = { type: 'array', minItems: 1, uniqueItems: true, items: { enum: exceptionTypes } };
  // Lower bounds as the SDK's validators have them (retry.py); upper bounds as the guide documents them.
  retryPolicy.IntervalSeconds = { type: 'integer', minimum: 0, maximum: RETRY_LIMITS.maxIntervalSeconds };
  retryPolicy.BackoffRate = { type: 'number', minimum: 0 };
  retryPolicy.MaxAttempts = { type: 'integer', minimum: 0, maximum: RETRY_LIMITS.maxAttempts };
  retryPolicy.ExpireAfterMin = { type: 'integer', minimum: 0, maximum: RETRY_LIMITS.maxExpireAfterMin };

  const experimentName = { oneOf: [{ type: 'string' }, ref('GetFunction'), ref('JoinFunction')] };
  at(schema, 'properties').PipelineExperimentConfig = {
    type: 'object',
    additionalProperties: false,
    properties: { ExperimentName: experimentName, TrialName: experimentName },
  };

  const registerArguments = at(definitions, 'RegisterModelStep', 'properties', 'Arguments', 'properties');
  registerArguments.ModelApprovalStatus = { oneOf: [{ enum: ['Approved', 'Rejected', 'PendingManualApproval'] }, ref('GetFunction')] };
  registerArguments.CustomerMetadataProperties = {
    type: 'object',
    maxProperties: MAX_CUSTOMER_METADATA.keys,
    propertyNames: { minLength: 1, maxLength: MAX_CUSTOMER_METADATA.keyLength },
    additionalProperties: ref('StringArgumentValue'),
  };
  at(registerArguments, 'InferenceSpecification', 'properties', 'Containers', 'items', 'properties').Environment = {
    type: 'object',
    maxProperties: MAX_MODEL_CONTAINER_ENVIRONMENT.variables,
    propertyNames: { minLength: 1, maxLength: MAX_MODEL_CONTAINER_ENVIRONMENT.length },
    additionalProperties: ref('StringArgumentValue'),
  };

  const steps = at(schema, 'properties', 'Steps');
  steps.items = dispatchOnType(definitions, at(steps, 'items'), 'Steps.items');
  const conditionArguments = at(definitions, 'ConditionStep', 'properties', 'Arguments', 'properties');
  for (const branch of ['IfSteps', 'ElseSteps']) {
    const list = at(conditionArguments, branch);
    list.items = dispatchOnType(definitions, at(list, 'items'), `ConditionStep.Arguments.${branch}.items`);
  }
  at(schema, 'properties', 'Parameters').items = parametersDispatch();
  return schema;
}
