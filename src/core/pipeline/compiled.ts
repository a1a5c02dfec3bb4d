/**
 * For code that consumes compiled definitions (the local runner): the JSON types, the one analysis of a
 * definition, the reading of its functions and conditions, the validator and the naming rules, and nothing of
 * the DSL, so that it interprets exactly the JSON SageMaker would get.
 */
export type * from './compiled-definition-types.ts';
export { PIPELINE_DEFINITION_VERSION, PARAMETER_TYPES, STEP_TYPES, isStepType } from './compiled-definition-types.ts';
export { analyzeDefinition, type AnalyzedStep, type DefinitionAnalysis, type PropertyFileDeclaration } from './analysis/analyze-definition.ts';
export { classifyFunction, parseGetTarget, problemLocation, type FunctionNode, type GetTarget, type JsonGetSource, type Reference } from './analysis/expressions.ts';
export { COMPARISON_TYPES, CONDITION_TYPES, isComparisonType, type ComparisonType } from './analysis/conditions.ts';
export type { ParameterDeclaration } from './analysis/parameters.ts';
export { formatSegments, lookupPath, parseSegments, type PathSegment } from './analysis/access-path.ts';
export { childLocation, formatProblem, type DefinitionProblem } from './analysis/problems.ts';
export { validatePipelineDefinition, assertValidPipelineDefinition, PipelineValidationError, type ValidationResult } from './validate/validate.ts';
export { EXECUTION_VARIABLES, type ExecutionVariableName } from './names.ts';
