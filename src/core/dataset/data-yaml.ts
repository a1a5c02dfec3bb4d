import { isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode, type Pair, type YAMLMap } from 'yaml';
import { SPLIT_KEYS } from './contract.ts';
import type { ProblemDraft } from './problems.ts';

export type SplitName = 'train' | 'val' | 'test';

/** The keys a split may be declared under, first match wins (the contract's splitKeys): Roboflow writes `valid`. */
export { SPLIT_KEYS };

export interface SplitDeclaration {
  split: SplitName;
  /** The data.yaml key it was declared under (`val`, `valid`, ...). */
  key: string;
  /** The folder paths as written in data.yaml (a split may list several). */
  paths: string[];
  /** Line of the key in data.yaml. */
  line: number;
}

export interface DataYaml {
  /** Class names by id; undefined when data.yaml has no usable names. */
  names: string[] | undefined;
  /** How many classes labels may use: the number of names, or `nc` when the names are unusable. */
  classCount: number | undefined;
  splits: SplitDeclaration[];
}

export interface ParsedDataYaml {
  dataYaml: DataYaml;
  problems: ProblemDraft[];
}

const EXAMPLE = 'e.g.\n  train: images/train\n  val: images/val\n  names: [cat, dog]';

export interface ParseDataYamlOptions {
  /** A folder of the upload that looks like the split (`images/val`), for the hint when the key is missing. */
  conventionalFolder?: (split: SplitName) => string | undefined;
}

/**
 * Reads data.yaml as Ultralytics does (names as a list or an `{id: name}` map, `nc`, split paths), reporting
 * every problem with its line. Keys it does not know (`path`, `roboflow`, `download`, ...) are left alone:
 * `path` in particular is ignored because split paths resolve relative to the folder that holds data.yaml.
 */
export function parseDataYaml(text: string, options: ParseDataYamlOptions = {}): ParsedDataYaml {
  const problems: ProblemDraft[] = [];
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const empty: DataYaml = { names: undefined, classCount: undefined, splits: [] };

  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const line = lineCounter.linePos(error.pos[0]).line;
      problems.push({
        code: 'invalid-yaml',
        line,
        message: `data.yaml is not valid YAML: ${firstLine(error.message)}`,
        hint: 'fix the YAML syntax at this line (indentation, an unclosed [ or quote, a repeated key)',
      });
    }
    return { dataYaml: empty, problems };
  }

  const root = doc.contents;
  if (!isMap(root)) {
    problems.push({
      code: 'invalid-data-yaml',
      line: 1,
      message: `data.yaml must be a mapping of keys, but it is ${root === null ? 'empty' : describeNode(root)}`,
      hint: `write the class names and split folders as keys, ${EXAMPLE}`,
    });
    return { dataYaml: empty, problems };
  }

  const lineOf: LineOf = (node, fallback = 1) => {
    // A pair has no position of its own: its key's is the line a user looks for.
    const target = isPair(node) ? node.key : node;
    const range = isNode(target) ? target.range : undefined;
    return range ? lineCounter.linePos(range[0]).line : fallback;
  };

  const names = readNames(root, lineOf, problems);
  const nc = readNc(root, lineOf, problems);
  if (names !== undefined && nc !== undefined && nc.value !== names.length) {
    problems.push({
      code: 'nc-mismatch',
      line: nc.line,
      message: `nc is ${nc.value} but names lists ${names.length} class${names.length === 1 ? '' : 'es'}`,
      hint: `set nc: ${names.length}, or remove nc (the names define the classes)`,
    });
  }

  const splits: SplitDeclaration[] = [];
  for (const split of ['train', 'val', 'test'] satisfies SplitName[]) {
    const declaration = readSplit(root, split, lineOf, problems, options.conventionalFolder?.(split));
    if (declaration) splits.push(declaration);
  }
  return { dataYaml: { names, classCount: names?.length ?? nc?.value, splits }, problems };
}

type LineOf = (node: unknown, fallback?: number) => number;

function findPair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((pair): pair is Pair => isScalar(pair.key) && String(pair.key.value) === key);
}

function readNames(root: YAMLMap, lineOf: LineOf, problems: ProblemDraft[]): string[] | undefined {
  const pair = findPair(root, 'names');
  if (!pair) {
    problems.push({
      code: 'missing-names',
      message: 'data.yaml has no names (the class names)',
      hint: 'add the class names in class-id order, e.g. names: [cat, dog], or as a map: names: {0: cat, 1: dog}',
    });
    return undefined;
  }
  const node = pair.value as YamlNode | null;
  const line = lineOf(pair);
  const invalid = (message: string, at: number, hint: string): undefined => {
    problems.push({ code: 'invalid-names', line: at, message, hint });
    return undefined;
  };

  let names: string[];
  if (isSeq(node)) {
    names = [];
    for (const item of node.items as (YamlNode | null)[]) {
      const name = scalarText(item);
      if (name === undefined) return invalid(`class ${names.length} in names has no usable name (${describeNode(item)})`, lineOf(item, line), 'give every class a plain text name, e.g. names: [cat, dog]');
      names.push(name);
    }
  } else if (isMap(node)) {
    const byId = new Map<number, string>();
    for (const item of node.items) {
      const keyText = isScalar(item.key) ? String(item.key.value) : '';
      const id = /^\d+$/.test(keyText) ? Number(keyText) : NaN;
      const at = lineOf(item);
      if (!Number.isSafeInteger(id)) return invalid(`names has the key ${JSON.stringify(keyText)}, which is not a class id`, at, 'key the names map by class id: names: {0: cat, 1: dog}');
      const name = scalarText(item.value as YamlNode | null);
      if (name === undefined) return invalid(`class ${id} in names has no usable name`, at, `write a plain text name after "${id}:"`);
      byId.set(id, name);
    }
    names = [];
    for (let id = 0; id < byId.size; id += 1) {
      const name = byId.get(id);
      if (name === undefined) {
        const ids = [...byId.keys()].sort((a, b) => a - b).join(', ');
        return invalid(`names map has ids ${ids}, but ids must run 0..${byId.size - 1} without gaps (id ${id} is missing)`, line, 'number classes from 0 without gaps; renumber the labels too if you change ids');
      }
      names.push(name);
    }
  } else {
    return invalid(`names must be a list or an {id: name} map, not ${describeNode(node)}`, line, 'write names: [cat, dog] or names: {0: cat, 1: dog}');
  }

  if (names.length === 0) return invalid('names is empty: a dataset needs at least one class', line, 'list the class names, e.g. names: [cat, dog]');

  const firstIdByName = new Map<string, number>();
  names.forEach((name, id) => {
    const first = firstIdByName.get(name);
    if (first === undefined) firstIdByName.set(name, id);
    else {
      problems.push({
        code: 'duplicate-class-name',
        line,
        message: `classes ${first} and ${id} are both named "${name}"`,
        hint: 'give each class its own name; if they are the same class, relabel one id as the other and remove it',
      });
    }
  });
  return names;
}

function readNc(root: YAMLMap, lineOf: LineOf, problems: ProblemDraft[]): { value: number; line: number } | undefined {
  const pair = findPair(root, 'nc');
  if (!pair) return undefined;
  const line = lineOf(pair);
  const node = pair.value as YamlNode | null;
  const value = isScalar(node) ? node.value : undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    problems.push({
      code: 'invalid-data-yaml',
      line,
      message: `nc must be a whole number of classes (at least 1), got ${describeNode(node)}`,
      hint: 'set nc to the number of names, or remove it',
    });
    return undefined;
  }
  return { value, line };
}

function readSplit(root: YAMLMap, split: SplitName, lineOf: LineOf, problems: ProblemDraft[], existing: string | undefined): SplitDeclaration | undefined {
  const found = SPLIT_KEYS[split].map((key) => ({ key, pair: findPair(root, key) })).find((entry) => entry.pair !== undefined);
  const node = (found?.pair?.value ?? null) as YamlNode | null;
  const isNull = node === null || (isScalar(node) && (node.value === null || node.value === ''));
  if (!found?.pair || isNull) {
    // `test:` with no value is how Ultralytics' own dataset files say "no test split".
    if (split !== 'test') {
      problems.push({
        code: 'missing-split',
        ...(found?.pair ? { line: lineOf(found.pair) } : {}),
        message: found?.pair ? `data.yaml declares ${found.key} without a folder` : `data.yaml has no ${split} split`,
        hint:
          existing !== undefined
            ? `this dataset has ${existing}/: add ${split}: ${existing}`
            : split === 'train'
              ? 'add the training images folder, e.g. train: images/train'
              : 'add the validation images folder, e.g. val: images/val (or valid/images)',
      });
    }
    return undefined;
  }
  const line = lineOf(found.pair);
  const values = isSeq(node) ? (node.items as (YamlNode | null)[]) : [node];
  const paths: string[] = [];
  for (const item of values) {
    const text = isScalar(item) && typeof item.value === 'string' ? item.value.trim() : undefined;
    if (!text) {
      problems.push({
        code: 'invalid-data-yaml',
        line: lineOf(item, line),
        message: `${found.key} must be a folder path or a list of them, got ${describeNode(item)}`,
        hint: `write the folder relative to data.yaml, e.g. ${found.key}: images/${split}`,
      });
      continue;
    }
    paths.push(text);
  }
  return paths.length > 0 ? { split, key: found.key, paths, line } : undefined;
}

function scalarText(node: YamlNode | null): string | undefined {
  if (!isScalar(node)) return undefined;
  const value = node.value;
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  // Ultralytics calls str() on names, so `names: {0: 2024}` is the class "2024".
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function describeNode(node: YamlNode | null | undefined): string {
  if (node === null || node === undefined) return 'nothing';
  if (isSeq(node)) return 'a list';
  if (isMap(node)) return 'a mapping';
  if (isScalar(node)) return node.value === null ? 'null' : JSON.stringify(node.value);
  return 'an unsupported YAML value';
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}
