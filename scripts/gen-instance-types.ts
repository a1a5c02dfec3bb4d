// Regenerates src/core/config/instance-types.ts from the AWS SDK's own enums:
//   node scripts/gen-instance-types.ts
import { writeFileSync } from 'node:fs';
import { ProcessingInstanceType, ProductionVariantInstanceType, TrainingInstanceType } from '@aws-sdk/client-sagemaker';

const list = (name: string, values: string[]): string =>
  `export const ${name} = [\n${[...values].sort().map((v) => `  ${JSON.stringify(v)},`).join('\n')}\n] as const;\n`;

const header =
  "// Generated from @aws-sdk/client-sagemaker (TrainingInstanceType, ProcessingInstanceType,\n" +
  "// ProductionVariantInstanceType) by scripts/gen-instance-types.ts;\n" +
  "// a unit test fails when the SDK's lists move, so regenerate then. Kept as data so core/ needs no AWS SDK.\n";
writeFileSync(
  new URL('../src/core/config/instance-types.ts', import.meta.url),
  header +
    list('TRAINING_INSTANCE_TYPES', Object.values(TrainingInstanceType)) +
    '\n' +
    list('PROCESSING_INSTANCE_TYPES', Object.values(ProcessingInstanceType)) +
    '\n' +
    list('HOSTING_INSTANCE_TYPES', Object.values(ProductionVariantInstanceType)),
);
