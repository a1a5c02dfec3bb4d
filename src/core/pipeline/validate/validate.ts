import type { PipelineDefinitionJson } from '../compiled-definition-types.ts';
import { MAX_DEFINITION_LENGTH } from '../names.ts';
import { PipelineValidationError, type DefinitionProblem } from './problems.ts';
import { ruleProblems } from './rules.ts';
import { schemaProblems } from './schema-check.ts';

export interface ValidationResult {
  valid: boolean;
  /** Every problem found, each with its JSON path; empty when valid. */
  problems: DefinitionProblem[];
}

/**
 * Checks a compiled pipeline definition (the JSON string, or the parsed object) the way SageMaker would at
 * CreatePipeline/UpsertPipeline: against AWS's published JSON schema (extended for PropertyFiles, Std:JsonGet
 * and the other gaps listed in extended-schema.ts) and against the rules a schema cannot state (unique names,
 * references that resolve, parameter defaults of the right type, no cycles). Reports all problems at once.
 */
export function validatePipelineDefinition(definition: unknown): ValidationResult {
  let parsed: unknown = definition;
  const problems: DefinitionProblem[] = [];
  const length = typeof definition === 'string' ? definition.length : (JSON.stringify(definition) ?? '').length;
  if (length > MAX_DEFINITION_LENGTH) {
    problems.push({ path: '$', message: `the definition is ${length} characters long; SageMaker takes at most ${MAX_DEFINITION_LENGTH}` });
  }
  if (typeof definition === 'string') {
    try {
      parsed = JSON.parse(definition);
    } catch (error) {
      problems.push({ path: '$', message: `not valid JSON: ${(error as Error).message}` });
      return { valid: false, problems };
    }
  }
  const rules = ruleProblems(parsed);
  // Where a rule speaks about a place, its message is more specific than the schema's (pattern, type).
  const ruled = new Set(rules.map((p) => p.path));
  problems.push(...schemaProblems(parsed).filter((p) => !ruled.has(p.path)), ...rules);
  return { valid: problems.length === 0, problems };
}

/** The definition, typed, or a PipelineValidationError listing every problem with its JSON path. */
export function assertValidPipelineDefinition(definition: unknown): PipelineDefinitionJson {
  const { problems } = validatePipelineDefinition(definition);
  if (problems.length > 0) throw new PipelineValidationError(problems);
  return (typeof definition === 'string' ? JSON.parse(definition) : definition) as PipelineDefinitionJson;
}
