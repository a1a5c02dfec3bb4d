import { describeJson, isJsonObject, type JsonValue } from '../../json.ts';

/**
 * One step of an access path: `.Name`, `[0]` or `['key']`. Shared by property references
 * (`Steps.Evaluate.ProcessingOutputConfig.Outputs['evaluation'].S3Output.S3Uri`) and by the JSONPath subset of
 * `Std:JsonGet` (`metrics.mAP50_95`), which use the same bracket and dot forms.
 */
export type PathSegment = { kind: 'name'; name: string } | { kind: 'index'; index: number } | { kind: 'key'; key: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/**
 * Parses `text` as segments. With `leadingName`, the text starts with a bare name (`metrics.x`, `ModelArtifacts.S3ModelArtifacts`);
 * otherwise every segment starts with `.` or `[`. Returns an error message (not an exception) so callers can
 * attach the JSON location.
 */
export function parseSegments(text: string, leadingName: boolean): PathSegment[] | string {
  const segments: PathSegment[] = [];
  let rest = text;
  let first = true;
  while (rest.length > 0) {
    const at = text.length - rest.length;
    if (rest.startsWith('[')) {
      const close = rest.indexOf(']');
      if (close < 0) return `unclosed "[" at character ${at} of ${JSON.stringify(text)}`;
      const inner = rest.slice(1, close);
      if (/^\d+$/.test(inner)) segments.push({ kind: 'index', index: Number(inner) });
      else if (/^'[^']*'$/.test(inner) || /^"[^"]*"$/.test(inner)) segments.push({ kind: 'key', key: inner.slice(1, -1) });
      else return `unsupported index [${inner}] at character ${at} of ${JSON.stringify(text)} (supported: [0], ['name'])`;
      rest = rest.slice(close + 1);
    } else {
      const dotted = rest.startsWith('.');
      if (!dotted && !(first && leadingName)) {
        return `expected "." or "[" at character ${at} of ${JSON.stringify(text)}, found ${JSON.stringify(rest[0])} (a dotted name is letters, digits and "_": write ['key-with-dash'] for other keys)`;
      }
      const body = dotted ? rest.slice(1) : rest;
      const match = NAME.exec(body);
      if (!match) {
        return `unsupported syntax at character ${at + (dotted ? 1 : 0)} of ${JSON.stringify(text)}: a name must be letters, digits and "_" (use ['some-key'] for other keys; wildcards and filters are not supported)`;
      }
      segments.push({ kind: 'name', name: match[0] });
      rest = body.slice(match[0].length);
    }
    first = false;
  }
  return segments;
}

export function formatSegments(segments: readonly PathSegment[]): string {
  return segments
    .map((s, i) => (s.kind === 'name' ? (i === 0 ? s.name : `.${s.name}`) : s.kind === 'index' ? `[${s.index}]` : `['${s.key}']`))
    .join('');
}

/**
 * Fields by which SageMaker's list properties are indexed with a string key: `Outputs['evaluation']` matches
 * `OutputName`, `FinalMetricDataList['mAP50']` matches `MetricName`, and so on.
 */
const LIST_KEY_FIELDS = ['OutputName', 'InputName', 'MetricName', 'ChannelName', 'PropertyFileName', 'Name'] as const;

/** Walks `segments` into `value`; returns the value or a message saying which segment had nothing. */
export function lookupPath(value: JsonValue, segments: readonly PathSegment[]): { found: true; value: JsonValue } | { found: false; message: string } {
  let current: JsonValue = value;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as PathSegment;
    const walked = formatSegments(segments.slice(0, i + 1));
    let next: JsonValue | undefined;
    if (segment.kind === 'index') {
      next = Array.isArray(current) ? current[segment.index] : undefined;
    } else {
      const key = segment.kind === 'name' ? segment.name : segment.key;
      if (isJsonObject(current)) next = Object.hasOwn(current, key) ? current[key] : undefined;
      else if (Array.isArray(current) && segment.kind === 'key') {
        next = current.find((item) => isJsonObject(item) && LIST_KEY_FIELDS.some((f) => item[f] === key));
      }
    }
    if (next === undefined) {
      const here = Array.isArray(current) ? `a list of ${current.length}` : isJsonObject(current) ? `an object with keys ${describeJson(Object.keys(current))}` : describeJson(current);
      return { found: false, message: `nothing at ${walked} (the value before it is ${here})` };
    }
    current = next;
  }
  return { found: true, value: current };
}
