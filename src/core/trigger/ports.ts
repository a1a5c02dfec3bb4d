/**
 * What the S3 training trigger needs from the outside world besides the object store: start a pipeline
 * execution and publish a message. The AWS adapters (src/aws) implement them over SageMaker and SNS; core stays
 * free of the AWS SDK.
 */

/** One StartPipelineExecution call. */
export interface StartExecutionRequest {
  pipelineName: string;
  /** Pipeline parameters by name (SageMaker takes every value as a string); absent ones keep their defaults. */
  parameters: Readonly<Record<string, string>>;
  /** 32-128 characters; the same token twice starts one execution (SageMaker's idempotency guard). */
  clientRequestToken: string;
  /** 1-82 characters, `^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,81}`. */
  displayName: string;
  /** At most 3072 characters. */
  description: string;
}

export interface StartedExecution {
  executionArn: string;
}

export interface PipelineStarter {
  startExecution(request: StartExecutionRequest): Promise<StartedExecution>;
}

/** A message for people (SNS: the subject is the e-mail subject, the body is sent as JSON). */
export interface PublishedMessage {
  /** One line; the adapter fits it to its channel (SNS: 100 printable ASCII characters, see sns-message.ts). */
  subject: string;
  /** Serialized as pretty JSON. */
  body: unknown;
  /** Message attributes subscribers can filter on, e.g. `{ event: 'dataset.invalid' }`. */
  attributes?: Readonly<Record<string, string>>;
}

export interface MessagePublisher {
  publish(message: PublishedMessage): Promise<void>;
}

/** Multipart uploads S3 has started and not completed: their objects are not listed yet. */
export interface UploadsInProgress {
  /** True when at least one multipart upload under `prefix` is in progress. */
  anyUnder(bucket: string, prefix: string): Promise<boolean>;
}

/** Looks at a dataset version again later (a delayed message on the trigger's own queue). */
export interface RecheckScheduler {
  /** `delaySeconds` is 0..900 (SQS's DelaySeconds). */
  schedule(recheck: { bucket: string; versionRoot: string }, delaySeconds: number): Promise<void>;
}
