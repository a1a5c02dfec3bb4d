import type { MetricDefinition } from '../../core/pipeline/compiled.ts';
import type { EpochProgress } from '../executions/execution-record.ts';

/**
 * Training metrics read from the job's log, as SageMaker does with MetricDefinitions (the value is the first
 * capture group of each match; the final value is the last match), and the per-epoch progress line that
 * training/yolops_training/metrics_line.py prints:
 * `yolops-metrics epoch=3/10 train/box_loss=1.234500 ... val/mAP50-95=0.250000`.
 */

export interface FinalMetric {
  MetricName: string;
  Value: number;
  Timestamp: string;
}

export class MetricCollector {
  private readonly patterns: { name: string; regex: RegExp }[];
  private readonly finals = new Map<string, FinalMetric>();

  constructor(definitions: readonly MetricDefinition[]) {
    this.patterns = definitions.map((d) => {
      try {
        return { name: d.Name, regex: new RegExp(d.Regex) };
      } catch (error) {
        throw new Error(`MetricDefinitions "${d.Name}": the regex ${JSON.stringify(d.Regex)} is not valid here: ${(error as Error).message}`, { cause: error });
      }
    });
  }

  /** Feeds one log line; each definition keeps the last value it matched. */
  line(text: string, now = new Date()): void {
    for (const { name, regex } of this.patterns) {
      const match = regex.exec(text);
      const value = match?.[1] !== undefined ? Number(match[1]) : Number.NaN;
      if (Number.isFinite(value)) this.finals.set(name, { MetricName: name, Value: value, Timestamp: now.toISOString() });
    }
  }

  /** FinalMetricDataList in definition order (metrics never seen are absent, as on SageMaker). */
  finalMetrics(): FinalMetric[] {
    return this.patterns.flatMap((p) => {
      const final = this.finals.get(p.name);
      return final ? [final] : [];
    });
  }
}

const PROGRESS_LINE = /^\s*yolops-metrics\s+epoch=(\d+)\/(\d+)((?:\s+\S+=\S+)*)\s*$/;

/** Parses a `yolops-metrics` line; other lines give undefined. Non-numeric values (`nan`) are left out. */
export function parseProgressLine(line: string): EpochProgress | undefined {
  const match = PROGRESS_LINE.exec(line);
  if (!match) return undefined;
  const metrics: Record<string, number> = {};
  for (const pair of (match[3] ?? '').trim().split(/\s+/)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const value = Number(pair.slice(eq + 1));
    if (Number.isFinite(value)) metrics[pair.slice(0, eq)] = value;
  }
  return { epoch: Number(match[1]), epochs: Number(match[2]), metrics };
}
