export type ShapeKind = 'square' | 'disc' | 'triangle' | 'diamond' | 'cross' | 'ring';
export type Rgb = readonly [number, number, number];

/** One class of the synthetic dataset: a shape in a colour. */
export interface SynthClass {
  name: string;
  shape: ShapeKind;
  color: Rgb;
}

/**
 * The built-in classes, in the order `classes: n` takes them. The first three differ in shape and colour (easy
 * to learn in a minute of CPU training); later ones reuse a shape or a colour, for harder datasets.
 */
export const DEFAULT_CLASSES: readonly SynthClass[] = [
  { name: 'red-square', shape: 'square', color: [225, 45, 45] },
  { name: 'green-disc', shape: 'disc', color: [50, 205, 75] },
  { name: 'blue-triangle', shape: 'triangle', color: [60, 115, 240] },
  { name: 'yellow-diamond', shape: 'diamond', color: [235, 215, 50] },
  { name: 'magenta-cross', shape: 'cross', color: [215, 60, 215] },
  { name: 'cyan-ring', shape: 'ring', color: [60, 215, 225] },
  { name: 'orange-disc', shape: 'disc', color: [245, 140, 30] },
  { name: 'white-square', shape: 'square', color: [235, 235, 235] },
];

export const SHAPE_KINDS: readonly ShapeKind[] = ['square', 'disc', 'triangle', 'diamond', 'cross', 'ring'];

/**
 * Whether the point (dx, dy), relative to the shape's centre, is inside a shape of side `size`. Pixels are
 * tested at their centres, and boxes are taken from the pixels actually drawn, so labels are exact.
 */
export function insideShape(shape: ShapeKind, dx: number, dy: number, size: number): boolean {
  const half = size / 2;
  switch (shape) {
    case 'square':
      return Math.abs(dx) <= half && Math.abs(dy) <= half;
    case 'disc':
      return dx * dx + dy * dy <= half * half;
    case 'triangle':
      // Apex at the top, base at the bottom: the half-width grows from 0 to `half`.
      return dy >= -half && dy <= half && Math.abs(dx) <= (dy + half) / 2;
    case 'diamond':
      return Math.abs(dx) + Math.abs(dy) <= half;
    case 'cross': {
      const arm = size / 6;
      return (Math.abs(dx) <= arm && Math.abs(dy) <= half) || (Math.abs(dy) <= arm && Math.abs(dx) <= half);
    }
    case 'ring': {
      const d2 = dx * dx + dy * dy;
      return d2 <= half * half && d2 >= (half * 0.55) ** 2;
    }
  }
}
