import { join } from 'node:path';
import type { Command } from 'commander';
import { REPO_ROOT } from '../../local/index.ts';
import type { CliContext } from '../context.ts';
import { awsDoctor } from '../doctor/aws-doctor.ts';
import { countByStatus, doctorExitCode, ok } from '../doctor/finding.ts';
import { localDoctor } from '../doctor/local-doctor.ts';
import { renderFindings } from '../doctor/render.ts';
import { printJson } from '../output.ts';
import { loadProjectConfig } from '../project.ts';

export function registerDoctorCommand(program: Command, ctx: CliContext): void {
  program
    .command('doctor')
    .description('check that the target is ready to train: config, Python (local); credentials, bootstrap, stacks, quotas, MLflow (aws). Exit 1 when a check fails')
    .option('--json', 'print the findings as JSON')
    .action(async (options: { json?: boolean }) => {
      const target = ctx.target();
      const project = ctx.project();
      // An invalid config is a usage error (exit 2) like in every command: nothing else can be judged without it.
      const config = loadProjectConfig(project);
      const findings = [
        ok('config', `${project.cdkJson} and ${project.trainingConfigJson} are valid`),
        ...(target === 'aws'
          ? await awsDoctor({ context: config.context, training: config.training, env: process.env, openSession: ctx.aws })
          : await localDoctor({ project, venvDir: join(REPO_ROOT, '.venv') })),
      ];
      if (options.json) printJson({ target, findings, summary: countByStatus(findings) });
      else process.stdout.write(renderFindings(findings));
      process.exitCode = doctorExitCode(findings);
    });
}
