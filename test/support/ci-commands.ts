// The shell commands of the project's CI definitions, in the order CI runs them: the `run:` steps of a GitHub
// Actions job (with the `env:` each level declares) and the phase commands of a CodeBuild buildspec. Pure: it
// parses text and evaluates the small part of GitHub's expression language the workflows use, so a test can run
// the very commands CI runs (ci-runner.ts) instead of a copy of them.
import { parse } from 'yaml';
import * as z from 'zod';

const scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);
const envSchema = z.record(z.string(), scalar).optional();

const stepSchema = z
  .object({
    name: z.string().optional(),
    id: z.string().optional(),
    if: scalar.optional(),
    uses: z.string().optional(),
    run: z.string().optional(),
    shell: z.string().optional(),
    'working-directory': z.string().optional(),
    env: envSchema,
  })
  .loose()
  .refine((s) => (s.uses === undefined) !== (s.run === undefined), 'a step has either `uses:` or `run:`');

const jobSchema = z
  .object({
    needs: z.union([z.string(), z.array(z.string())]).optional(),
    if: scalar.optional(),
    env: envSchema,
    outputs: z.record(z.string(), z.string()).optional(),
    defaults: z.object({ run: z.object({ shell: z.string().optional(), 'working-directory': z.string().optional() }).loose().optional() }).loose().optional(),
    steps: z.array(stepSchema).min(1),
  })
  .loose();

const workflowSchema = z.object({ name: z.string().optional(), env: envSchema, jobs: z.record(z.string(), jobSchema) }).loose();

export interface CommandStep {
  /** The step's position among all steps of the job (actions included), from 0. */
  readonly index: number;
  readonly name: string;
  readonly id?: string;
  /** The step's `if:`, as written (with or without `${{ }}`). */
  readonly if?: string;
  /** The step's own `env:`, values as written (they may hold `${{ }}` expressions). */
  readonly env: Readonly<Record<string, string>>;
  readonly run: string;
  readonly shell?: string;
  readonly workingDirectory?: string;
}

export interface ActionStep {
  readonly index: number;
  readonly name: string;
  readonly uses: string;
}

export interface JobCommands {
  readonly id: string;
  readonly needs: readonly string[];
  readonly if?: string;
  /** The workflow's `env:` with the job's on top, values as written. */
  readonly env: Readonly<Record<string, string>>;
  /** The job's `outputs:`, expressions as written. */
  readonly outputs: Readonly<Record<string, string>>;
  /** The `run:` steps in order. */
  readonly commands: readonly CommandStep[];
  /** The `uses:` steps, which a test stands in for (credentials, Node.js, the checkout). */
  readonly actions: readonly ActionStep[];
}

export class CiDefinitionError extends Error {
  override readonly name = 'CiDefinitionError';
}

function parsed<T>(schema: z.ZodType<T>, text: string, what: string): T {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new CiDefinitionError(`${what} is not YAML: ${(error as Error).message}`, { cause: error });
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    throw new CiDefinitionError(`${what} does not have the expected shape: ${result.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}`);
  }
  return result.data;
}

/** The ids of the jobs of a workflow, in the order they are written. */
export function workflowJobIds(workflowYaml: string): string[] {
  return Object.keys(parsed(workflowSchema, workflowYaml, 'the workflow').jobs);
}

/** The `run:` steps of one job of a workflow, with the `env:` of the workflow, the job and each step. */
export function workflowJobCommands(workflowYaml: string, jobId: string): JobCommands {
  const workflow = parsed(workflowSchema, workflowYaml, 'the workflow');
  const job = workflow.jobs[jobId];
  if (job === undefined) throw new CiDefinitionError(`the workflow has no job ${JSON.stringify(jobId)}; its jobs are ${Object.keys(workflow.jobs).join(', ')}`);
  const commands: CommandStep[] = [];
  const actions: ActionStep[] = [];
  job.steps.forEach((step, index) => {
    if (step.uses !== undefined) {
      actions.push({ index, name: step.name ?? step.uses, uses: step.uses });
      return;
    }
    const run = step.run as string;
    const shell = step.shell ?? job.defaults?.run?.shell;
    const workingDirectory = step['working-directory'] ?? job.defaults?.run?.['working-directory'];
    commands.push({
      index,
      name: step.name ?? run.split('\n')[0] ?? '',
      ...(step.id === undefined ? {} : { id: step.id }),
      ...(step.if === undefined ? {} : { if: step.if }),
      env: step.env ?? {},
      run,
      ...(shell === undefined ? {} : { shell }),
      ...(workingDirectory === undefined ? {} : { workingDirectory }),
    });
  });
  return {
    id: jobId,
    needs: job.needs === undefined ? [] : typeof job.needs === 'string' ? [job.needs] : job.needs,
    ...(job.if === undefined ? {} : { if: job.if }),
    env: { ...workflow.env, ...job.env },
    outputs: job.outputs ?? {},
    commands,
    actions,
  };
}

// --- CodeBuild buildspec ---------------------------------------------------------------------------------------

/** The phases of a buildspec, in the order CodeBuild runs them. */
export const BUILDSPEC_PHASES = ['install', 'pre_build', 'build', 'post_build'] as const;
export type BuildspecPhase = (typeof BUILDSPEC_PHASES)[number];

const phaseSchema = z
  .object({
    'runtime-versions': z.record(z.string(), scalar).optional(),
    commands: z.array(z.string()).optional(),
    finally: z.array(z.string()).optional(),
    'on-failure': z.enum(['ABORT', 'CONTINUE', 'RETRY']).optional(),
  })
  .strict();

const buildspecSchema = z
  .object({
    version: z.union([z.literal(0.2), z.literal('0.2')]),
    env: z.object({ shell: z.string().optional(), variables: envSchema, 'parameter-store': envSchema, 'exported-variables': z.array(z.string()).optional() }).strict().optional(),
    phases: z.partialRecord(z.enum(BUILDSPEC_PHASES), phaseSchema),
    artifacts: z.unknown().optional(),
    reports: z.unknown().optional(),
    cache: z.unknown().optional(),
  })
  .strict();

export interface BuildspecCommands {
  /** `env.shell` (CodeBuild's default on Linux is sh). */
  readonly shell?: string;
  /** `env.variables`. */
  readonly env: Readonly<Record<string, string>>;
  /** `phases.install.runtime-versions`. */
  readonly runtimeVersions: Readonly<Record<string, string>>;
  /** The phases that have commands, in CodeBuild's order. */
  readonly phases: readonly { readonly phase: BuildspecPhase; readonly commands: readonly string[] }[];
}

/**
 * The commands of a version 0.2 buildspec, phase by phase. In 0.2 every command of a build runs in one shell
 * instance, so a variable set by one command is seen by the next (ci-runner.ts runs them that way).
 */
export function buildspecCommands(buildspecYaml: string): BuildspecCommands {
  const spec = parsed(buildspecSchema, buildspecYaml, 'the buildspec');
  return {
    ...(spec.env?.shell === undefined ? {} : { shell: spec.env.shell }),
    env: spec.env?.variables ?? {},
    runtimeVersions: spec.phases.install?.['runtime-versions'] ?? {},
    phases: BUILDSPEC_PHASES.flatMap((phase) => {
      const commands = spec.phases[phase]?.commands ?? [];
      return commands.length === 0 ? [] : [{ phase, commands }];
    }),
  };
}

// --- GitHub expressions -------------------------------------------------------------------------------------------

/** What `${{ }}` expressions can read: `inputs`, `needs`, `steps`, `vars`, `github`, ... as nested objects. */
export type ExpressionContexts = Readonly<Record<string, unknown>>;

const EXPRESSION = /\$\{\{\s*([\s\S]*?)\s*\}\}/g;
const PATH = /^[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)*$/;

/** The value of one operand: a string literal, a number, true/false/null, or a dotted context path. */
function operand(text: string, contexts: ExpressionContexts): unknown {
  const t = text.trim();
  if (/^'(?:[^']|'')*'$/.test(t)) return t.slice(1, -1).replaceAll("''", "'");
  if (/^-?\d+(?:\.\d+)?$/.test(t)) return Number(t);
  if (t === 'true' || t === 'false') return t === 'true';
  if (t === 'null') return null;
  if (!PATH.test(t)) throw new CiDefinitionError(`unsupported expression ${JSON.stringify(t)}: only context paths, literals and || are evaluated here`);
  // A missing property is null in GitHub's language, never an error.
  return t.split('.').reduce<unknown>((value, key) => (value !== null && typeof value === 'object' ? ((value as Record<string, unknown>)[key] ?? null) : null), contexts);
}

const truthy = (value: unknown): boolean => !(value === null || value === undefined || value === false || value === 0 || value === '' || Number.isNaN(value));

/** Evaluates `a || b || 'literal'` the way GitHub does: the first truthy operand, else the last. */
export function evaluateExpression(expression: string, contexts: ExpressionContexts): unknown {
  const operands = expression.split('||');
  for (const [i, part] of operands.entries()) {
    const value = operand(part, contexts);
    if (truthy(value) || i === operands.length - 1) return value;
  }
  return null;
}

/** How GitHub writes a value into a string: null as empty, objects as JSON. */
function asString(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Replaces every `${{ }}` of `text` by its value. */
export function interpolate(text: string, contexts: ExpressionContexts): string {
  return text.replace(EXPRESSION, (_all, expression: string) => asString(evaluateExpression(expression, contexts)));
}

/** An `if:` (a bare expression, or one wrapped in `${{ }}`); an absent one is GitHub's `success()`. */
export function evaluateCondition(condition: string | undefined, contexts: ExpressionContexts): boolean {
  if (condition === undefined) return true;
  const wrapped = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(condition);
  return truthy(evaluateExpression(wrapped ? (wrapped[1] as string) : condition, contexts));
}

/** Whether a text holds a `${{ }}` expression (a `run:` script must not: inputs would become shell code). */
export function hasExpression(text: string): boolean {
  return /\$\{\{/.test(text);
}

/**
 * The name/value pairs a step wrote to $GITHUB_OUTPUT (or $GITHUB_ENV): `name=value` lines and `name<<DELIMITER`
 * blocks; a later value of a name replaces an earlier one, as on GitHub.
 */
export function parseGithubOutput(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [name, delimiter] = [heredoc[1] as string, heredoc[2] as string];
      const end = lines.indexOf(delimiter, i + 1);
      if (end < 0) throw new CiDefinitionError(`the value of ${name} starts with <<${delimiter} but no line ${delimiter} ends it`);
      values[name] = lines.slice(i + 1, end).join('\n');
      i = end;
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new CiDefinitionError(`${JSON.stringify(line)} is neither name=value nor name<<DELIMITER`);
    values[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return values;
}
