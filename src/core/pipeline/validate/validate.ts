import { CoreError } from '../../errors.ts';
import { analyzeDefinition } from '../analysis/analyze-definition.ts';
import { formatProblem, type DefinitionProblem } from '../analysis/problems.ts';
import type { PipelineDefinitionJson } from '../compiled-definition-types.ts';
import { MAX_DEFINITION_LENGTH } from '../names.ts';
import { schemaProblems } from './schema-check.ts';

export interface ValidationResult {
  valid: boolean;
  /** Every problem found, each with its location; empty when valid. */
  problems: DefinitionProblem[];
}

/** Thrown when a definition fails validation; lists every problem with its location. */
export class PipelineValidationError extends CoreError {
  readonly problems: readonly DefinitionProblem[];

  constructor(problems: readonly DefinitionProblem[]) {
    super(
      `the pipeline definition JSON has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` + problems.map((p) => `  - ${formatProblem(p)}`).join('\n'),
      { audience: 'user' },
    );
    this.problems = problems;
  }
}

/**
 * Checks a compiled pipeline definition (the JSON string, or the parsed object) the way SageMaker would at
 * CreatePipeline/UpsertPipeline: against AWS's published JSON schema (extended for PropertyFiles, Std:JsonGet
 * and the other gaps listed in extended-schema.ts) and with the analysis the local runner also reads
 * definitions with (unique names, references that resolve, parameter defaults of the right type, no cycles).
 * Reports all problems at once.
 */
export function validatePipelineDefinition(definition: unknown): ValidationResult {
  let parsed: unknown = definition;
  const problems: DefinitionProblem[] = [];
  const length = typeof definition === 'string' ? definition.length : (JSON.stringify(definition) ?? '').length;
  if (length > MAX_DEFINITION_LENGTH) {
    problems.push({ location: '', message: `the definition is ${length} characters long; SageMaker takes at most ${MAX_DEFINITION_LENGTH}` });
  }
  if (typeof definition === 'string') {
    try {
      parsed = JSON.parse(definition);
    } catch (error) {
      problems.push({ location: '', message: `not valid JSON: ${(error as Error).message}` });
      return { valid: false, problems };
    }
  }
  const analysis = analyzeDefinition(parsed).problems;
  // Where the analysis speaks about a place, its message is more specific than the schema's (pattern, type).
  const analyzed = new Set(analysis.map((p) => p.location));
  problems.push(...schemaProblems(parsed).filter((p) => !analyzed.has(p.location)), ...analysis);
  return { valid: problems.length === 0, problems };
}

/** The definition, typed, or a PipelineValidationError listing every problem with its location. */
export function assertValidPipelineDefinition(definition: unknown): PipelineDefinitionJson {
  const { problems } = validatePipelineDefinition(definition);
  if (problems.length > 0) throw new PipelineValidationError(problems);
  return (typeof definition === 'string' ? JSON.parse(definition) : definition) as PipelineDefinitionJson;
}
