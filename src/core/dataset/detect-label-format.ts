import { DATA_YAML_NAMES } from './contract.ts';
import { LABEL_FORMATS, type LabelFormat } from './label-formats.ts';

/**
 * Which labelled-data format a `labeled-data/<version>/` folder holds, from its keys and the first bytes of its
 * .json files: how the S3 trigger and the local watcher choose the InputFormat of the execution they start, and
 * how `yolops dataset push --from` checks a folder before sending it. Pure: the caller lists the folder and
 * reads the first JSON_PEEK_BYTES of each key jsonKeysToRead names (a ranged read, never a whole export).
 *
 * - `*.manifest` -> groundtruth (a SageMaker Ground Truth output manifest);
 * - `*.xml` -> voc (Pascal VOC, one file per image);
 * - a `.json` whose first non-blank character is `{` -> coco, `[` -> labelstudio;
 * - data.yaml (or data.yml) or classes.txt with an images/ and a labels/ folder -> yolo (split or not);
 * - nothing of these, or several of them -> a problem that names what was found and what to upload.
 * Hidden files and folders (the upload marker, .DS_Store) and macOS's __MACOSX/ are not part of an export.
 */

/** The bytes of a .json file that tell a COCO file (an object) from a Label Studio export (an array). */
export const JSON_PEEK_BYTES = 1024;

/** More .json files than this is not one export (COCO and Label Studio have one file, or one per split). */
export const MAX_JSON_FILES = 32;

const YOLO_CLASS_LIST = 'classes.txt';

export type LabelFormatDetection =
  | {
      kind: 'detected';
      format: LabelFormat;
      /** The keys that made the decision (the annotation files), sorted. */
      annotationFiles: string[];
      /** One line: which files made it that format. */
      summary: string;
    }
  | {
      kind: 'unknown';
      /** What is wrong, naming what was found. */
      problem: string;
      /** What to upload instead. */
      fix: string;
    };

/** What to upload, in one sentence, for every message that refuses a folder. */
export const LABEL_FORMAT_FIX =
  'upload one export with its images per version folder: COCO (a .json file starting with "{"), Pascal VOC (.xml files), ' +
  'a SageMaker Ground Truth output manifest (*.manifest), a Label Studio JSON export (a .json file starting with "["), ' +
  'or YOLO (data.yaml or classes.txt with images/ and labels/ folders)';

function isIgnored(key: string): boolean {
  return key.split('/').some((part) => part.startsWith('.') || part === '__MACOSX');
}

function baseName(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}

function extension(key: string): string {
  const name = baseName(key);
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}

function isYoloDescription(key: string): boolean {
  const name = baseName(key);
  return DATA_YAML_NAMES.includes(name) || name === YOLO_CLASS_LIST;
}

/**
 * Whether a key (relative to the version folder) is an annotation file of some format: the objects whose
 * presence says a labelled upload that has no upload marker may be complete, and which pushes write last.
 */
export function isAnnotationFile(relativeKey: string): boolean {
  if (isIgnored(relativeKey)) return false;
  return ['manifest', 'xml', 'json'].includes(extension(relativeKey)) || isYoloDescription(relativeKey);
}

/** The .json keys whose first bytes detectLabelFormat needs, sorted; at most MAX_JSON_FILES + 1 (one more says "too many"). */
export function jsonKeysToRead(relativeKeys: readonly string[]): string[] {
  return relativeKeys
    .filter((key) => !isIgnored(key) && extension(key) === 'json')
    .sort()
    .slice(0, MAX_JSON_FILES + 1);
}

/** The first character of a file's bytes that is not JSON whitespace (or a UTF-8 byte order mark); undefined when there is none. */
export function firstNonBlankCharacter(bytes: Uint8Array): string | undefined {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  for (; i < bytes.length; i += 1) {
    const byte = bytes[i] as number;
    if (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d) continue;
    return String.fromCharCode(byte);
  }
  return undefined;
}

/** `3 .jpg files (e.g. a.jpg)`-style parts, for saying what a folder holds. */
function describeKeys(keys: readonly string[], limit = 6): string {
  const byKind = new Map<string, string[]>();
  for (const key of keys) {
    const kind = isYoloDescription(key) ? baseName(key) : extension(key) === '' ? 'files without an extension' : `.${extension(key)}`;
    byKind.set(kind, [...(byKind.get(kind) ?? []), key]);
  }
  const parts = [...byKind.entries()]
    .sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1))
    .map(([kind, list]) => (list.length === 1 ? list[0] : `${list.length} ${kind}${kind.startsWith('.') ? ' files' : ''} (e.g. ${list[0]})`));
  return parts.length > limit ? `${parts.slice(0, limit).join(', ')} and ${parts.length - limit} more kinds` : parts.join(', ');
}

function folderNamed(keys: readonly string[], name: string): boolean {
  return keys.some((key) => key.split('/').slice(0, -1).includes(name));
}

/**
 * The format of one labelled-data version. `relativeKeys`: every key under the version folder, relative to it;
 * `jsonStarts`: for each key of jsonKeysToRead, firstNonBlankCharacter of its first JSON_PEEK_BYTES (a key
 * missing from the map counts as unreadable).
 */
export function detectLabelFormat(relativeKeys: readonly string[], jsonStarts: ReadonlyMap<string, string | undefined>): LabelFormatDetection {
  const keys = relativeKeys.filter((key) => !isIgnored(key)).sort();
  if (keys.length === 0) return { kind: 'unknown', problem: 'the folder holds no files (hidden files such as the upload marker do not count)', fix: LABEL_FORMAT_FIX };
  const json = keys.filter((key) => extension(key) === 'json');
  if (json.length > MAX_JSON_FILES) {
    return { kind: 'unknown', problem: `the folder holds ${json.length} .json files (e.g. ${json[0]}, ${json[1]}); a COCO or Label Studio export has one annotation file, or one per split`, fix: LABEL_FORMAT_FIX };
  }

  const candidates = new Map<LabelFormat, string[]>();
  const add = (format: LabelFormat, key: string): void => void candidates.set(format, [...(candidates.get(format) ?? []), key]);
  const unreadableJson: string[] = [];
  for (const key of keys) {
    const ext = extension(key);
    if (ext === 'manifest') add('groundtruth', key);
    else if (ext === 'xml') add('voc', key);
    else if (ext === 'json') {
      const start = jsonStarts.get(key);
      if (start === '{') add('coco', key);
      else if (start === '[') add('labelstudio', key);
      else unreadableJson.push(key);
    }
  }
  const descriptions = keys.filter(isYoloDescription);
  const images = folderNamed(keys, 'images');
  const labels = folderNamed(keys, 'labels');
  if (descriptions.length > 0 && images && labels) for (const key of descriptions) add('yolo', key);

  const formats = [...candidates.keys()].sort((a, b) => LABEL_FORMATS.indexOf(a) - LABEL_FORMATS.indexOf(b));
  if (formats.length === 1) {
    const format = formats[0] as LabelFormat;
    const files = candidates.get(format) ?? [];
    return { kind: 'detected', format, annotationFiles: files, summary: `${format}: ${describeKeys(files, 3)}` };
  }
  if (formats.length > 1) {
    const each = formats.map((f) => `${f} (${describeKeys(candidates.get(f) ?? [], 2)})`).join('; ');
    return { kind: 'unknown', problem: `the folder holds annotation files of ${formats.length} formats: ${each}`, fix: `keep one export per version folder; ${LABEL_FORMAT_FIX}` };
  }
  const hints: string[] = [];
  if (unreadableJson.length > 0) hints.push(`${describeKeys(unreadableJson, 2)} ${unreadableJson.length === 1 ? 'starts' : 'start'} with neither "{" nor "["`);
  if (descriptions.length > 0) hints.push(`${describeKeys(descriptions, 2)} without ${[images ? '' : 'an images/', labels ? '' : 'a labels/'].filter(Boolean).join(' and ')} folder`);
  return { kind: 'unknown', problem: `no annotation file of a known format among ${describeKeys(keys)}${hints.length > 0 ? ` (${hints.join('; ')})` : ''}`, fix: LABEL_FORMAT_FIX };
}
