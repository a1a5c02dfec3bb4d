/**
 * Problems of a compiled pipeline definition, each at a JSON location such as `Steps[1].Arguments.RoleArn` or
 * `Steps[2].Arguments.Conditions[0].LeftValue['Std:JsonGet']` (the empty location is the definition itself).
 * The validator, the local runner and the runner's run-time messages all write locations this one way.
 */

/** One thing wrong with a compiled definition, and where. */
export interface DefinitionProblem {
  location: string;
  message: string;
}

/** Collects problems so that a definition is reported in full, not one problem per attempt. */
export class DefinitionProblems {
  readonly items: DefinitionProblem[] = [];

  add(location: string, message: string): void {
    this.items.push({ location, message });
  }
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** The location of `key` inside the value at `location`: `a.b`, `a[0]`, `a['Std:Join']`. */
export function childLocation(location: string, key: string | number): string {
  if (typeof key === 'number') return `${location}[${key}]`;
  if (!IDENTIFIER.test(key)) return `${location}[${JSON.stringify(key).replace(/^"|"$/g, "'")}]`;
  return location === '' ? key : `${location}.${key}`;
}

/** `['Steps', 0, 'Std:Join']` -> `Steps[0]['Std:Join']`. */
export function locationOf(parts: readonly (string | number)[]): string {
  return parts.reduce<string>((location, part) => childLocation(location, part), '');
}

/** A JSON Pointer (`/Steps/0/Std:Join`, as ajv reports) as a location. */
export function pointerToLocation(pointer: string): string {
  if (pointer === '') return '';
  const parts = pointer
    .slice(1)
    .split('/')
    .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  return locationOf(parts);
}

/** `Steps[3].Type: step "Deploy" has ...`; the definition itself is `(top level)`. */
export function formatProblem(problem: DefinitionProblem): string {
  return `${problem.location || '(top level)'}: ${problem.message}`;
}
