import type { Prng } from './prng.ts';
import { insideShape, type SynthClass } from './shapes.ts';

/** A drawn object's tight pixel box: columns x0..x1-1, rows y0..y1-1. */
export interface DrawnObject {
  classId: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface Scene {
  rgb: Uint8Array;
  objects: DrawnObject[];
}

export interface SceneOptions {
  size: number;
  classes: readonly SynthClass[];
  /** Objects to try to place (fewer when the image is too crowded to keep them apart). */
  objectCount: number;
  /** Object side as a fraction of the image side. */
  minScale: number;
  maxScale: number;
}

/**
 * Draws shapes on dark noise. Objects do not overlap, so every label matches what is visible; colours and the
 * background vary per image so the model has to learn shape and colour, not a fixed pixel value.
 */
export function renderScene(rng: Prng, options: SceneOptions): Scene {
  const { size } = options;
  const rgb = new Uint8Array(size * size * 3);
  paintBackground(rng, rgb, size);

  const objects: DrawnObject[] = [];
  for (let n = 0; n < options.objectCount; n += 1) {
    const classId = rng.int(0, options.classes.length - 1);
    const spec = options.classes[classId];
    if (!spec) continue;
    const side = Math.max(4, Math.round(size * rng.range(options.minScale, options.maxScale)));
    // Up to 30 tries to find a free spot; a crowded image simply gets fewer objects.
    for (let attempt = 0; attempt < 30; attempt += 1) {
      const x0 = rng.int(0, size - side);
      const y0 = rng.int(0, size - side);
      const free = objects.every((o) => x0 + side + 2 <= o.x0 || o.x1 + 2 <= x0 || y0 + side + 2 <= o.y0 || o.y1 + 2 <= y0);
      if (!free) continue;
      const drawn = drawShape(rng, rgb, size, spec, classId, x0, y0, side);
      if (drawn) objects.push(drawn);
      break;
    }
  }
  return { rgb, objects };
}

function paintBackground(rng: Prng, rgb: Uint8Array, size: number): void {
  const base = rng.range(8, 45);
  const tint = [rng.range(-6, 6), rng.range(-6, 6), rng.range(-6, 6)] as const;
  const noise = rng.range(6, 18);
  // A soft diagonal gradient plus per-pixel noise: "dark noise" that is not the same in every image.
  const gx = rng.range(-0.12, 0.12);
  const gy = rng.range(-0.12, 0.12);
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      const level = base + gx * x + gy * y;
      const i = (y * size + x) * 3;
      for (let c = 0; c < 3; c += 1) rgb[i + c] = clampByte(level + (tint[c] ?? 0) + (rng.next() - 0.5) * 2 * noise);
    }
  }
}

function drawShape(rng: Prng, rgb: Uint8Array, size: number, spec: SynthClass, classId: number, x0: number, y0: number, side: number): DrawnObject | undefined {
  const jitter = (value: number): number => clampByte(value + rng.range(-22, 22));
  const color = [jitter(spec.color[0]), jitter(spec.color[1]), jitter(spec.color[2])] as const;
  const centre = side / 2;
  let box: DrawnObject | undefined;
  for (let y = 0; y < side; y += 1) {
    for (let x = 0; x < side; x += 1) {
      if (!insideShape(spec.shape, x + 0.5 - centre, y + 0.5 - centre, side)) continue;
      const px = x0 + x;
      const py = y0 + y;
      const i = (py * size + px) * 3;
      const shade = (rng.next() - 0.5) * 16;
      rgb[i] = clampByte(color[0] + shade);
      rgb[i + 1] = clampByte(color[1] + shade);
      rgb[i + 2] = clampByte(color[2] + shade);
      if (!box) box = { classId, x0: px, y0: py, x1: px + 1, y1: py + 1 };
      else {
        box.x0 = Math.min(box.x0, px);
        box.y0 = Math.min(box.y0, py);
        box.x1 = Math.max(box.x1, px + 1);
        box.y1 = Math.max(box.y1, py + 1);
      }
    }
  }
  return box;
}

function clampByte(value: number): number {
  return value < 0 ? 0 : value > 255 ? 255 : Math.round(value);
}
