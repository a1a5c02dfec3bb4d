import type { NotificationChannel } from '../../core/notify/notification-channel.ts';
import { summaryLine, type PipelineNotification } from '../../core/notify/pipeline-notification.ts';
import { LocalError } from '../errors.ts';
import type { NotificationRecord } from '../executions/execution-record.ts';

/** Writes the summary line (stderr by default, so stdout stays clean for JSON output). */
export class ConsoleChannel implements NotificationChannel {
  readonly name = 'console';
  private readonly write: (line: string) => void;

  constructor(write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)) {
    this.write = write;
  }

  async send(notification: PipelineNotification): Promise<string | undefined> {
    this.write(summaryLine(notification));
    return undefined;
  }
}

export interface WebhookOptions {
  /** Per attempt. @default 10000 */
  timeoutMs?: number;
  /** Attempts for network errors and HTTP 5xx (4xx is not retried: the request itself is wrong). @default 3 */
  attempts?: number;
  /** Pause between attempts. @default 500 */
  retryDelayMs?: number;
}

/** POSTs the notification as JSON. Any non-2xx answer is an error naming the status and the start of the body. */
export class WebhookChannel implements NotificationChannel {
  readonly name = 'webhook';
  readonly url: URL;
  private readonly options: Required<WebhookOptions>;

  constructor(url: string, options: WebhookOptions = {}) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch (error) {
      throw new LocalError(`YOLOPS_WEBHOOK_URL ${JSON.stringify(url)} is not a URL`, { cause: error, audience: 'user' });
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new LocalError(`YOLOPS_WEBHOOK_URL must be http(s), found ${parsed.protocol}`, { audience: 'user' });
    this.url = parsed;
    this.options = { timeoutMs: options.timeoutMs ?? 10_000, attempts: Math.max(1, options.attempts ?? 3), retryDelayMs: options.retryDelayMs ?? 500 };
  }

  async send(notification: PipelineNotification): Promise<string | undefined> {
    const body = JSON.stringify(notification);
    let lastError: Error | undefined;
    for (let attempt = 1; attempt <= this.options.attempts; attempt++) {
      if (attempt > 1) await new Promise((r) => setTimeout(r, this.options.retryDelayMs));
      let response: Response;
      try {
        response = await fetch(this.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'yolops-local-runner' },
          body,
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
      } catch (error) {
        const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
        lastError = new Error(`POST ${this.redacted()} failed (attempt ${attempt}/${this.options.attempts}): ${(error as Error).message}${cause}`, { cause: error });
        continue;
      }
      const text = await response.text();
      if (response.ok) return `HTTP ${response.status}`;
      lastError = new Error(`POST ${this.redacted()} answered HTTP ${response.status} (attempt ${attempt}/${this.options.attempts}): ${text.slice(0, 200)}`);
      if (response.status < 500) break;
    }
    throw lastError ?? new Error(`POST ${this.redacted()} was not attempted`);
  }

  /** The URL without credentials or query (webhook URLs often carry a secret token). */
  private redacted(): string {
    return `${this.url.protocol}//${this.url.host}${this.url.pathname}`;
  }
}

/** The console, plus a webhook when YOLOPS_WEBHOOK_URL is set. */
export function channelsFromEnv(env: NodeJS.ProcessEnv = process.env, options: { console?: ConsoleChannel; webhook?: WebhookOptions } = {}): NotificationChannel[] {
  const channels: NotificationChannel[] = [options.console ?? new ConsoleChannel()];
  const url = env['YOLOPS_WEBHOOK_URL']?.trim();
  if (url) channels.push(new WebhookChannel(url, options.webhook));
  return channels;
}

/**
 * Sends to every channel. A channel's failure is returned as a record with the error (and shown by the
 * caller), never thrown: a notification problem must not change the result of the run it reports.
 */
export async function sendNotifications(channels: readonly NotificationChannel[], notification: PipelineNotification): Promise<NotificationRecord[]> {
  const records: NotificationRecord[] = [];
  for (const channel of channels) {
    const at = new Date().toISOString();
    try {
      const detail = await channel.send(notification);
      records.push({ channel: channel.name, ok: true, at, ...(detail ? { detail } : {}) });
    } catch (error) {
      records.push({ channel: channel.name, ok: false, at, error: (error as Error).message });
    }
  }
  return records;
}
