import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { EnvironmentPolicy } from '../environment.ts';
import { PREFIXES } from '../../core/naming.ts';

/** The handler source, bundled with esbuild at synth time (no Docker). */
export const TRIGGER_HANDLER_ENTRY = fileURLToPath(new URL('../../trigger/handler.ts', import.meta.url));

export interface TrainingTriggerProps {
  readonly functionName: string;
  readonly logGroupName: string;
  readonly role: IRole;
  readonly trainingDataBucket: IBucket;
  readonly pipelineName: string;
  readonly environment: EnvironmentPolicy;
  readonly datasetUploadRuleName: string;
  readonly sampleDatasetRuleName: string;
  /**
   * @default Duration.seconds(60)
   */
  readonly timeout?: Duration;
}

/**
 * The Lambda that receives dataset uploads, and the EventBridge rules that call it. Its handler is still a
 * placeholder that fails on every event (src/trigger/handler.ts), so an upload starts no training yet and the
 * trigger-errors alarm says so.
 */
export class TrainingTrigger extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly rules: readonly Rule[];

  constructor(scope: Construct, id: string, props: TrainingTriggerProps) {
    super(scope, id);
    // Named as the role's log permissions expect (the role lives in another stack and cannot reference this one).
    this.logGroup = new LogGroup(this, 'LogGroup', {
      logGroupName: props.logGroupName,
      retention: props.environment.logRetention,
      removalPolicy: props.environment.removalPolicy,
    });
    this.function = new NodejsFunction(this, 'Function', {
      functionName: props.functionName,
      description: 'yolops S3 training trigger (placeholder: fails on every upload, starts no training yet)',
      entry: TRIGGER_HANDLER_ENTRY,
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: 256,
      timeout: props.timeout ?? Duration.seconds(60),
      role: props.role,
      logGroup: this.logGroup,
      environment: {
        TRAINING_BUCKET: props.trainingDataBucket.bucketName,
        TRAINING_CONFIG_KEY: PREFIXES.trainingConfigKey,
        PIPELINE_NAME: props.pipelineName,
        POWERTOOLS_SERVICE_NAME: 'yolops-trigger',
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        minify: true,
        sourceMap: true,
        logLevel: LogLevel.WARNING,
        // Lets CommonJS dependencies that call require() run inside the ESM bundle.
        banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
    });

    const rule = (ruleId: string, ruleName: string, prefix: string) => {
      const r = new Rule(this, ruleId, {
        ruleName,
        description: `Starts training when objects are created under s3://${props.trainingDataBucket.bucketName}/${prefix}`,
        eventPattern: {
          source: ['aws.s3'],
          detailType: ['Object Created'],
          detail: { bucket: { name: [props.trainingDataBucket.bucketName] }, object: { key: [{ prefix }] } },
        },
      });
      r.addTarget(new LambdaFunction(this.function, { retryAttempts: 2, maxEventAge: Duration.hours(1) }));
      return r;
    };
    this.rules = [
      rule('DatasetUploadRule', props.datasetUploadRuleName, PREFIXES.splitDataset),
      rule('SampleDatasetRule', props.sampleDatasetRuleName, PREFIXES.sampleDataset),
    ];
  }
}
