/**
 * SNS's limits on what a message may be, applied before publishing so a long failure reason or a huge list
 * never makes the notification itself fail.
 */

/** Subject: at most 100 printable ASCII characters, no line breaks (SNS uses it as the e-mail subject). */
export const MAX_SUBJECT_LENGTH = 100;
/** Message body plus message attributes: 256 KiB. */
export const MAX_MESSAGE_BYTES = 262_144;

/**
 * A subject SNS accepts: line breaks and tabs become spaces, accents are dropped (é -> e), any other character
 * outside printable ASCII becomes `?`, and a longer text is cut to the limit ending in `...`.
 */
export function snsSubject(text: string, fallback = 'yolops'): string {
  const ascii = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .trim();
  if (ascii === '') return fallback;
  return ascii.length <= MAX_SUBJECT_LENGTH ? ascii : `${ascii.slice(0, MAX_SUBJECT_LENGTH - 3).trimEnd()}...`;
}

/** What the message says about what was left out. */
export interface TruncationNote {
  reason: string;
  /** `<path>: <kept> of <total> items kept`, one per list that was cut. */
  lists: string[];
  /** Set when long strings were cut too. */
  strings?: string;
}

const LIST_CAPS = [100, 20, 5, 1, 0];
const STRING_CAPS = [4096, 512];
const MAX_NOTED_LISTS = 20;

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * `value` as pretty JSON of at most `maxBytes` UTF-8 bytes. When it is larger, lists are cut to ever fewer items
 * (then long strings, then everything) until it fits, and a `truncated` key says what was left out: an object
 * gets the key, anything else is wrapped as `{ truncated, message }`.
 */
export function fitJson(value: unknown, maxBytes: number): { text: string; truncated: boolean } {
  const whole = JSON.stringify(value, null, 2) ?? 'null';
  if (byteLength(whole) <= maxBytes) return { text: whole, truncated: false };
  const reason = `the message was ${byteLength(whole)} bytes, over the ${maxBytes} bytes SNS takes; parts were left out`;
  const attempts: { lists: number; strings?: number }[] = [...LIST_CAPS.map((lists) => ({ lists })), ...STRING_CAPS.map((strings) => ({ lists: 0, strings }))];
  for (const caps of attempts) {
    const lists: string[] = [];
    const cut = capValue(value, caps.lists, caps.strings, '$', lists);
    const note: TruncationNote = {
      reason,
      lists: lists.length > MAX_NOTED_LISTS ? [...lists.slice(0, MAX_NOTED_LISTS), `... and ${lists.length - MAX_NOTED_LISTS} more lists`] : lists,
      ...(caps.strings !== undefined ? { strings: `strings longer than ${caps.strings} characters were cut` } : {}),
    };
    const text = JSON.stringify(withNote(cut, note), null, 2);
    if (byteLength(text) <= maxBytes) return { text, truncated: true };
  }
  const text = JSON.stringify({ truncated: { reason: `${reason}: too large to summarise, the whole message was left out`, lists: [] } satisfies TruncationNote }, null, 2);
  return { text, truncated: true };
}

function withNote(value: unknown, note: TruncationNote): unknown {
  return isPlainObject(value) ? { ...value, truncated: note } : { truncated: note, message: value };
}

function capValue(value: unknown, listCap: number, stringCap: number | undefined, path: string, notes: string[]): unknown {
  if (typeof value === 'string') return stringCap !== undefined && value.length > stringCap ? `${value.slice(0, stringCap)}... (${value.length - stringCap} more characters)` : value;
  if (Array.isArray(value)) {
    if (value.length > listCap) notes.push(`${path}: ${listCap} of ${value.length} items kept`);
    return value.slice(0, listCap).map((item, index) => capValue(item, listCap, stringCap, `${path}[${index}]`, notes));
  }
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, capValue(item, listCap, stringCap, `${path}.${key}`, notes)]));
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);
}
