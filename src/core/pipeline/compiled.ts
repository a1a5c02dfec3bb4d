/**
 * For code that consumes compiled definitions (the local runner): the JSON types, the validator and the naming
 * rules, and nothing of the DSL, so that it interprets exactly the JSON SageMaker would get.
 */
export type * from './compiled-definition-types.ts';
export { PIPELINE_DEFINITION_VERSION } from './compiled-definition-types.ts';
export { validatePipelineDefinition, assertValidPipelineDefinition, type ValidationResult } from './validate/validate.ts';
export { PipelineValidationError, type DefinitionProblem } from './validate/problems.ts';
export { EXECUTION_VARIABLES, type ExecutionVariableName } from './names.ts';
