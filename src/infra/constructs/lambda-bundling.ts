import { LogLevel, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * How every yolops Lambda (the training trigger, the deployer) is bundled by esbuild at synth time, without Docker:
 * one ESM file for Node 24, minified, with a source map for stack traces. bench/trigger-bundle.ts reads this block.
 */
export const LAMBDA_BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  target: 'node24',
  minify: true,
  sourceMap: true,
  logLevel: LogLevel.WARNING,
  // Lets CommonJS dependencies that call require() run inside the ESM bundle.
  banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
};
