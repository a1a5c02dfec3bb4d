import { table } from '../output.ts';
import type { InvocationAnswer } from '../../core/serving/invocation-answer.ts';

const round = (n: number, digits: number): string => n.toFixed(digits).replace(/\.?0+$/, '') || '0';

/** One image's answer as a person reads it: a heading line, then a table of class, score and pixel box. */
export function renderPrediction(file: string, answer: InvocationAnswer): string {
  const prediction = answer.predictions[0];
  if (!prediction) return `${file}: no prediction in the answer`;
  const n = prediction.detections.length;
  const heading = `${file}: ${n === 0 ? 'no detections' : n === 1 ? '1 detection' : `${n} detections`} (${prediction.width}x${prediction.height}, conf >= ${answer.options.conf}, ${round(answer.inference_ms, 1)} ms)`;
  if (n === 0) return heading;
  const rows = [...prediction.detections]
    .sort((a, b) => b.score - a.score)
    .map((d) => [d.class_name, d.score.toFixed(3), `${round(d.box.x1, 1)}, ${round(d.box.y1, 1)}, ${round(d.box.x2, 1)}, ${round(d.box.y2, 1)}`]);
  const body = table(['class', 'score', 'box (x1, y1, x2, y2)'], rows)
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
  return `${heading}\n${body}`;
}
