import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import * as z from 'zod';
import { LABEL_FORMATS, SPLIT_RULES, splitRatiosProblem, type LabelFormat } from '../../core/dataset/label-formats.ts';
import type { CliContext } from '../context.ts';
import { CliError, EXIT } from '../errors.ts';
import { integerOption } from '../options.ts';
import { info, printJson } from '../output.ts';
import { runPythonModule } from '../python-module.ts';

/** The converter's --result file (the shape of preprocess.json, plus the output folder), checked when read back. */
const problemSchema = z.object({ severity: z.enum(['error', 'warning']), code: z.string(), where: z.string(), message: z.string(), fix: z.string() });
const convertResultSchema = z.object({
  schemaVersion: z.literal(1),
  format: z.string(),
  converted: z.boolean(),
  valid: z.boolean(),
  splits: z.record(z.string(), z.object({ images: z.int().nonnegative(), boxes: z.int().nonnegative() })),
  classes: z.array(z.string()),
  problems: z.array(problemSchema),
  errors: z.int().nonnegative(),
  warnings: z.int().nonnegative(),
  output: z.string(),
});

interface ConvertOptions {
  from: LabelFormat;
  split: string;
  seed: number;
  json?: boolean;
}

function readResult(file: string): z.output<typeof convertResultSchema> | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined; // the tool refused its arguments before converting anything
  }
  const parsed = convertResultSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new CliError(`the converter's result ${file} does not have its shape: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, { exitCode: EXIT.failed, audience: 'internal' });
  return parsed.data;
}

/**
 * `yolops dataset convert`: the converter the Preprocess step runs (training/yolops_dataprep), run here in the
 * project's Python, so a labelled export can be checked and converted before it is uploaded. The tool's warnings
 * and summary stream to stderr; a refused export ends with its one-line reason and exit 2, nothing written.
 */
export function registerDatasetConvert(dataset: Command, ctx: CliContext): void {
  const defaultSplit = SPLIT_RULES.defaultRatios.join(',');
  dataset
    .command('convert')
    .description('convert a labelled export (COCO, Pascal VOC, Ground Truth, Label Studio, unsplit YOLO) into a split YOLO dataset in <output>, checked by the dataset contract; nothing is written when the export has errors')
    .addOption(new Option('--from <format>', 'the export\'s format').choices(LABEL_FORMATS).makeOptionMandatory())
    .argument('<input>', 'the export\'s folder (annotations and images), or its annotation file')
    .argument('<output>', 'a new or empty folder for the dataset')
    .option('--split <ratios>', `train,val[,test] ratios adding up to 1`, defaultSplit)
    .option('--seed <n>', 'same export, ratios and seed: the same split, image for image', integerOption('--seed', 0), 0)
    .option('--json', 'print the result (splits, classes, every problem) as JSON')
    .action(async (input: string, output: string, options: ConvertOptions) => {
      const problem = splitRatiosProblem(options.split);
      if (problem !== undefined) throw new CliError(`--split ${problem}`);
      const work = mkdtempSync(join(tmpdir(), 'yolops-convert-'));
      const resultFile = join(work, 'result.json');
      const args = ['convert', '--from', options.from, resolve(input), resolve(output), '--split', options.split, '--seed', String(options.seed), '--result', resultFile];
      try {
        try {
          await runPythonModule('yolops_dataprep', args, {
            trainingDir: ctx.project().trainingCodeDir,
            // The tool's last `yolops:` line comes back as the CliError's message; the rest is shown as it comes.
            onStderrLine: (line) => { if (!line.startsWith('yolops: ')) info(line); },
          });
        } catch (error) {
          const result = options.json ? readResult(resultFile) : undefined;
          if (result !== undefined) printJson(result);
          throw error;
        }
        if (options.json) printJson(readResult(resultFile));
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });
}
