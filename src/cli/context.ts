import { closeAwsSession, openAwsSession, type AwsSession } from './aws-session.ts';
import { findProject, loadProjectConfig, type Project } from './project.ts';
import { resolveTarget, type Target } from './target.ts';

/**
 * What every command can ask for, each resolved on first use: the project (cdk.json, training-config.json), the
 * target (`--target`, YOLOPS_TARGET, or local) and, for the AWS target, one AWS session per process.
 */
export interface CliContext {
  project(): Project;
  /** `flag` is the command's own `--target` value, if it has one. */
  target(flag?: string): Target;
  aws(): Promise<AwsSession>;
  /** Closes what was opened (the AWS clients' sockets). */
  close(): void;
}

export function createCliContext(globalTarget: () => string | undefined, env: NodeJS.ProcessEnv = process.env): CliContext {
  let project: Project | undefined;
  let session: Promise<AwsSession> | undefined;
  const context: CliContext = {
    project: () => (project ??= findProject(undefined, env)),
    target: (flag) => resolveTarget(flag ?? globalTarget(), env),
    aws: () => (session ??= openAwsSession(loadProjectConfig(context.project()).context, env)),
    close: () => {
      void session?.then(closeAwsSession, () => undefined);
    },
  };
  return context;
}
