import type * as z from 'zod';

/**
 * Each variable of a Lambda's environment its schema refused, as `NAME: what is wrong (got "value")`: the one form
 * both functions (the training trigger, the deployer) report a misconfiguration in, every bad variable at once.
 */
export function environmentProblems(error: z.ZodError, env: NodeJS.ProcessEnv): string {
  return error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message} (got ${JSON.stringify(env[String(issue.path[0])] ?? null)})`).join('; ');
}
