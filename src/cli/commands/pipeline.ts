import type { Command } from 'commander';
import { PIPELINE_DEFINITION_VERSION, synthesizeTrainingPipelineFromFiles } from '../../core/pipeline/index.ts';
import type { CliContext } from '../context.ts';

export function registerPipelineCommands(program: Command, ctx: CliContext): void {
  const project = ctx.project;
  const pipeline = program.command('pipeline').description('the pipeline definition');
  pipeline
    .command('synth')
    .description(`print the SageMaker Pipeline definition JSON (Version ${PIPELINE_DEFINITION_VERSION}) compiled from the TypeScript definition, cdk.json and training-config.json`)
    .option('--code-version <version>', 'give CodeUri and CodeVersion defaults pointing at code/<version>/ in the training bucket')
    .option('--compact', 'one line, as CloudFormation and UpsertPipeline receive it')
    .action((options: { codeVersion?: string; compact?: boolean }) => {
      const { json } = synthesizeTrainingPipelineFromFiles(
        { root: project().dir },
        { pretty: !options.compact, ...(options.codeVersion ? { codeVersion: options.codeVersion } : {}) },
      );
      process.stdout.write(`${json}\n`);
    });
}
