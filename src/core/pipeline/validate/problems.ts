/** One thing wrong with a compiled definition, located by a JSONPath such as `$.Steps[1].Arguments.RoleArn`. */
export interface DefinitionProblem {
  path: string;
  message: string;
}

/** Thrown when a definition fails validation; lists every problem with its JSON path. */
export class PipelineValidationError extends Error {
  readonly problems: readonly DefinitionProblem[];

  constructor(problems: readonly DefinitionProblem[]) {
    super(
      `the pipeline definition JSON has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` +
        problems.map((p) => `  - ${p.path}: ${p.message}`).join('\n'),
    );
    this.name = 'PipelineValidationError';
    this.problems = problems;
  }
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `['Steps', 0, 'Std:Join']` -> `$.Steps[0]['Std:Join']`. */
export function jsonPath(parts: readonly (string | number)[]): string {
  return (
    '$' +
    parts
      .map((part) => {
        if (typeof part === 'number') return `[${part}]`;
        return IDENTIFIER.test(part) ? `.${part}` : `[${JSON.stringify(part).replace(/^"|"$/g, "'")}]`;
      })
      .join('')
  );
}

/** A JSON Pointer (`/Steps/0/Std:Join`, as ajv reports) as a JSONPath. */
export function pointerToJsonPath(pointer: string): string {
  if (pointer === '') return '$';
  const parts = pointer
    .slice(1)
    .split('/')
    .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  return jsonPath(parts);
}
