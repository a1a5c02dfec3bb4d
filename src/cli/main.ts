// The `yolops` command: a thin shell that parses arguments and calls the libraries in core/ and local/.
import { Command, CommanderError } from 'commander';
import { registerCodeCommands } from './commands/code.ts';
import { registerConfigCommands } from './commands/config.ts';
import { registerDatasetCommands } from './commands/dataset.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerDoctorCommand } from './commands/doctor.ts';
import { registerLabelCommands } from './commands/label.ts';
import { registerLocalCommands } from './commands/local.ts';
import { registerMlflowCommand } from './commands/mlflow.ts';
import { registerModelsCommands } from './commands/models.ts';
import { registerPipelineCommands } from './commands/pipeline.ts';
import { registerPredictCommand } from './commands/predict.ts';
import { registerRunCommand } from './commands/run.ts';
import { registerRunsCommands } from './commands/runs.ts';
import { registerServeCommand } from './commands/serve.ts';
import { explainAwsFailure } from './aws-errors.ts';
import { createCliContext, type CliContext } from './context.ts';
import { EXIT } from './errors.ts';
import { debugRequested, reportError } from './output.ts';
import { TARGET_ENV, TARGETS } from './target.ts';

export function buildProgram(context?: CliContext): Command {
  const program = new Command('yolops');
  const ctx = context ?? createCliContext(() => program.opts<{ target?: string }>().target);
  const getProject = ctx.project;
  program
    .description('Train, evaluate, gate, register and version YOLO models: locally, or on SageMaker.')
    .option('--debug', 'on an error, print its stack and causes too (or set YOLOPS_DEBUG=1)')
    .option('--target <target>', `where commands act: ${TARGETS.join(' or ')} (default: ${TARGET_ENV}, else local)`)
    // Commander's own parse errors (unknown option, missing argument) in the shape of every other error: one
    // line, prefixed, with the way to the usage on the same line.
    .configureOutput({ outputError: (message, write) => write(`yolops: ${message.replace(/^error: /, '').trimEnd()} (add --help for usage)\n`) })
    .exitOverride();
  registerDatasetCommands(program, ctx);
  registerPipelineCommands(program, ctx);
  registerCodeCommands(program, ctx);
  registerRunCommand(program, getProject);
  registerRunsCommands(program, ctx);
  registerModelsCommands(program, ctx);
  registerServeCommand(program, ctx);
  registerPredictCommand(program, ctx);
  registerLocalCommands(program, getProject);
  registerMlflowCommand(program, getProject);
  registerDemoCommand(program, getProject);
  registerConfigCommands(program, ctx);
  registerDoctorCommand(program, ctx);
  registerLabelCommands(program, ctx);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const ctx = createCliContext(() => program.opts<{ target?: string }>().target);
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? EXIT.ok : Number(process.exitCode);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    return reportError(explainAwsFailure(error), { debug: debugRequested(argv) });
  } finally {
    ctx.close();
  }
}

