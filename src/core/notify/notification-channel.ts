import type { PipelineNotification } from './pipeline-notification.ts';

/**
 * A place notifications go: the console and a webhook locally, an SNS topic on AWS. `send` resolves with a
 * short detail (an HTTP status, a message id), or throws with what went wrong.
 */
export interface NotificationChannel {
  readonly name: string;
  send(notification: PipelineNotification): Promise<string | undefined>;
}
