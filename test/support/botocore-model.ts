import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * A request checked against an AWS API's own shapes: botocore's service model in the project's .venv (the JSON
 * the AWS CLI and boto3 validate with), for calls moto does not implement. Required members, unknown members,
 * types, lengths, ranges, patterns (matched whole, as the services do) and enums are checked.
 */
interface Shape {
  type: string;
  required?: string[];
  /** `documentation`: the API reference's text for the member (HTML), where some values are listed. */
  members?: Record<string, { shape: string; documentation?: string }>;
  member?: { shape: string };
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
}

interface ServiceModel {
  shapes: Record<string, Shape>;
  operations: Record<string, { input?: { shape: string } }>;
}

const REPO = new URL('../..', import.meta.url).pathname;

export function loadServiceModel(service: string): ServiceModel {
  const lib = join(REPO, '.venv', 'lib');
  const python = readdirSync(lib).find((d) => d.startsWith('python'));
  if (python === undefined) throw new Error(`no python folder in ${lib}: install the dev environment (.venv) first`);
  const dir = join(lib, python, 'site-packages', 'botocore', 'data', service);
  const version = readdirSync(dir).sort().at(-1) as string;
  const path = join(dir, version, 'service-2.json.gz');
  return JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as ServiceModel;
}

/** Every way `value` breaks the input shape of `operation`, as `Path: what is wrong`; empty when it conforms. */
export function requestProblems(model: ServiceModel, operation: string, value: unknown): string[] {
  const input = model.operations[operation]?.input?.shape;
  if (input === undefined) throw new Error(`the model has no operation ${operation}`);
  const problems: string[] = [];
  check(model, input, value, operation, problems);
  return problems;
}

function check(model: ServiceModel, name: string, value: unknown, path: string, problems: string[]): void {
  const shape = model.shapes[name];
  if (shape === undefined) throw new Error(`the model has no shape ${name}`);
  const bounds = (n: number, what: string) => {
    if (shape.min !== undefined && n < shape.min) problems.push(`${path}: ${what} ${n} is below the minimum ${shape.min}`);
    if (shape.max !== undefined && n > shape.max) problems.push(`${path}: ${what} ${n} is above the maximum ${shape.max}`);
  };
  switch (shape.type) {
    case 'structure': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return void problems.push(`${path}: must be an object (${name})`);
      const record = value as Record<string, unknown>;
      for (const required of shape.required ?? []) if (record[required] === undefined) problems.push(`${path}.${required}: required`);
      for (const [key, member] of Object.entries(record)) {
        const spec = shape.members?.[key];
        if (spec === undefined) problems.push(`${path}.${key}: not a member of ${name}`);
        else if (member !== undefined) check(model, spec.shape, member, `${path}.${key}`, problems);
      }
      return;
    }
    case 'list':
      if (!Array.isArray(value)) return void problems.push(`${path}: must be a list (${name})`);
      bounds(value.length, 'length');
      value.forEach((item, index) => check(model, shape.member?.shape as string, item, `${path}[${index}]`, problems));
      return;
    case 'string':
      if (typeof value !== 'string') return void problems.push(`${path}: must be a string (${name})`);
      bounds(value.length, 'length');
      if (shape.enum && !shape.enum.includes(value)) problems.push(`${path}: ${JSON.stringify(value)} is not one of ${shape.enum.join(', ')}`);
      if (shape.pattern && !new RegExp(`^(?:${shape.pattern})$`, 'u').test(value)) problems.push(`${path}: ${JSON.stringify(value)} does not match ${shape.pattern}`);
      return;
    case 'integer':
    case 'long':
      if (typeof value !== 'number' || !Number.isInteger(value)) return void problems.push(`${path}: must be a whole number (${name})`);
      bounds(value, 'value');
      return;
    case 'boolean':
      if (typeof value !== 'boolean') problems.push(`${path}: must be true or false (${name})`);
      return;
    default:
      return;
  }
}
