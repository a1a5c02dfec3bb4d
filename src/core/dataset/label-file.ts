import { COORDINATE_TOLERANCE } from './contract.ts';
import type { ImageInfo } from './image-header.ts';
import { defaultSeverity, type ProblemDraft } from './problems.ts';

/** One valid object of a label file. */
export interface LabelObject {
  classId: number;
  /** `polygon`: a segmentation outline; detection training uses its bounding box. */
  shape: 'box' | 'polygon';
  line: number;
}

export interface ParsedLabelFile {
  objects: LabelObject[];
  /** Lines that are not blank; 0 means a background image. */
  lineCount: number;
  problems: ProblemDraft[];
}

export interface LabelContext {
  /** Number of classes in data.yaml; undefined skips the class-range check (data.yaml had no usable names). */
  classCount: number | undefined;
  /** The image's size when known: it turns a pixel-coordinate mistake into a concrete fix. */
  image?: ImageInfo;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^\d+$/;
const DROPS_IMAGE = 'Ultralytics skips the whole image when one of its label lines is invalid';

/**
 * Parses a YOLO label file: one `class cx cy w h` line per box, coordinates fractions of the image size.
 * Segmentation lines (`class x1 y1 x2 y2 x3 y3 ...`, an odd field count of 7 or more) are accepted, because
 * Ultralytics detection training turns each into its bounding box; mixing both kinds in one file is refused,
 * because Ultralytics then reads every line as a polygon and turns each box into a wrong one.
 * An empty file is a background image. Every bad line is reported, each once.
 */
export function parseLabelFile(text: string, context: LabelContext): ParsedLabelFile {
  const objects: LabelObject[] = [];
  const problems: ProblemDraft[] = [];
  const seen = new Map<string, number>();
  let lineCount = 0;
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);

  lines.forEach((raw, index) => {
    const line = index + 1;
    const fields = raw.trim().split(/\s+/).filter((f) => f !== '');
    if (fields.length === 0) return;
    lineCount += 1;

    const lineProblems = checkLine(fields, line, context) ?? [];
    problems.push(...lineProblems);
    // Warnings (rounding noise, a class written 1.0) leave an object Ultralytics trains on; errors drop the line.
    if (lineProblems.some((p) => (p.severity ?? defaultSeverity(p.code)) === 'error')) return;
    const normalized = fields.join(' ');
    const first = seen.get(normalized);
    if (first !== undefined) {
      problems.push({
        code: 'duplicate-label-line',
        line,
        message: `line ${line} repeats line ${first}: "${normalized}"`,
        hint: 'remove the repeated line; Ultralytics drops duplicate boxes, so the object counts once anyway',
      });
      return;
    }
    seen.set(normalized, line);
    objects.push({ classId: Number(fields[0]), shape: fields.length === 5 ? 'box' : 'polygon', line });
  });

  const firstBox = objects.find((o) => o.shape === 'box');
  const firstPolygon = objects.find((o) => o.shape === 'polygon');
  if (firstBox && firstPolygon) {
    problems.push({
      code: 'mixed-label-format',
      line: Math.max(firstBox.line, firstPolygon.line),
      message: `the file mixes boxes (line ${firstBox.line}: 5 fields) and polygons (line ${firstPolygon.line}: 7 or more fields)`,
      hint: 'export all objects of a dataset in one format (boxes for detection); Ultralytics reads every line of a mixed file as a polygon, turning each box into a wrong one',
    });
  }
  return { objects, lineCount, problems };
}

function checkLine(fields: string[], line: number, context: LabelContext): ProblemDraft[] | undefined {
  const count = fields.length;
  if (count !== 5 && (count < 7 || count % 2 === 0)) {
    return [{ code: 'wrong-field-count', line, message: `line has ${count} field${count === 1 ? '' : 's'}: "${fields.join(' ')}"; a box has 5 (class cx cy w h)`, hint: fieldCountHint(count) }];
  }

  const [classField = '', ...coordinateFields] = fields;
  const nonNumeric = fields.findIndex((f) => !NUMBER.test(f));
  if (nonNumeric >= 0) {
    const name = nonNumeric === 0 ? 'the class id' : `field ${nonNumeric + 1} (${fieldName(nonNumeric, count)})`;
    return [{ code: 'non-numeric-field', line, message: `${name} is ${JSON.stringify(fields[nonNumeric])}, not a number`, hint: `write plain numbers separated by spaces (class cx cy w h); ${DROPS_IMAGE}` }];
  }

  const problems: ProblemDraft[] = [];
  if (!INTEGER.test(classField)) {
    const value = Number(classField);
    if (Number.isInteger(value) && value >= 0) {
      // Ultralytics reads 1.0 as class 1, so this trains; it is still not the contract's format.
      problems.push({ code: 'non-integer-class', severity: 'warning', line, message: `class id is written ${JSON.stringify(classField)}; the format wants a whole number`, hint: `write ${value} instead of ${classField}` });
      if (context.classCount !== undefined && value >= context.classCount) problems.push(classRangeProblem(line, classField, context.classCount));
    } else if (value < 0) {
      problems.push(classRangeProblem(line, classField, context.classCount));
    } else {
      problems.push({ code: 'non-integer-class', line, message: `class id ${classField} is not a whole number`, hint: 'class ids are whole numbers: 0 for the first name in data.yaml, 1 for the second, ...' });
    }
  } else if (context.classCount !== undefined && Number(classField) >= context.classCount) {
    problems.push(classRangeProblem(line, classField, context.classCount));
  }

  const values = coordinateFields.map(Number);
  const outside = values.map((value, i) => ({ value, i })).filter(({ value }) => value < 0 || value > 1);
  if (outside.length > 0) {
    const described = outside.map(({ value, i }) => `${fieldName(i + 1, count)}=${formatNumber(value)}`).join(', ');
    // Ultralytics accepts up to 0.01 beyond the edges as rounding noise: report it, but do not block training.
    const rounding = outside.every(({ value }) => value >= -COORDINATE_TOLERANCE && value <= 1 + COORDINATE_TOLERANCE);
    problems.push({
      code: 'coordinate-out-of-range',
      ...(rounding ? { severity: 'warning' as const } : {}),
      line,
      message: `${described} ${outside.length === 1 ? 'is' : 'are'} outside 0..1${rounding ? ' (by rounding noise)' : ''}`,
      hint: rounding ? `clip coordinates to 0..1 in the export; Ultralytics tolerates up to ${COORDINATE_TOLERANCE} beyond the edges, so this trains as is` : coordinateHint(outside.some(({ value }) => value > 1), context.image),
    });
  }
  if (count === 5) {
    const [, , w = 0, h = 0] = values;
    const flat = [w <= 0 ? `w=${formatNumber(w)}` : '', h <= 0 ? `h=${formatNumber(h)}` : ''].filter((s) => s !== '');
    if (flat.length > 0) {
      problems.push({ code: 'non-positive-size', line, message: `the box has ${flat.join(' and ')}: width and height must be greater than 0`, hint: 'remove the empty box or fix its size in the labelling tool' });
    }
  }
  return problems.length > 0 ? problems : undefined;
}

function classRangeProblem(line: number, classField: string, classCount: number | undefined): ProblemDraft {
  const range = classCount === undefined ? '' : `: data.yaml names ${classCount} class${classCount === 1 ? '' : 'es'} (ids 0..${classCount - 1})`;
  return {
    code: 'class-out-of-range',
    line,
    message: `class id ${classField} is out of range${range}`,
    hint: `add the missing class names to data.yaml, or fix the id (ids start at 0, in the order of names); ${DROPS_IMAGE}`,
  };
}

function fieldCountHint(count: number): string {
  if (count === 6) return 'a 6th value is often a confidence score from model predictions or a rotated-box angle; keep only class cx cy w h';
  if (count < 5) return 'write one box per line as: class cx cy w h (class id, then centre x, centre y, width, height as fractions of the image size)';
  return 'a polygon line is the class then x y pairs (an even number of coordinates, 3 points at least); check for a missing or extra value';
}

function fieldName(index: number, count: number): string {
  if (index === 0) return 'class';
  if (count === 5) return ['cx', 'cy', 'w', 'h'][index - 1] ?? `field ${index + 1}`;
  return `${index % 2 === 1 ? 'x' : 'y'}${Math.ceil(index / 2)}`;
}

function coordinateHint(looksLikePixels: boolean, image: ImageInfo | undefined): string {
  if (!looksLikePixels) return `coordinates are fractions of the image size from 0 to 1; clip negative values to 0; ${DROPS_IMAGE}`;
  const size = image ? ` (this image is ${image.width}x${image.height}: divide x and w by ${image.width}, y and h by ${image.height})` : '';
  return `values above 1 look like pixels: YOLO wants fractions of the image size${size}; ${DROPS_IMAGE}`;
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}
