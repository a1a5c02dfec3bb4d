/**
 * A small seeded generator (sfc32, seeded through splitmix32): the same seed gives the same dataset on every
 * machine and Node version, which Math.random and crypto cannot promise.
 */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** `seeds` are mixed together, so (dataset seed, split, image index) gives each image its own stream. */
  constructor(...seeds: number[]) {
    let state = 0x9e3779b9;
    for (const seed of seeds) state = splitmix32(state ^ (seed >>> 0)) ^ Math.floor(seed / 2 ** 32);
    this.a = splitmix32(state);
    this.b = splitmix32(this.a);
    this.c = splitmix32(this.b);
    this.d = splitmix32(this.c);
    for (let i = 0; i < 12; i += 1) this.nextUint32(); // leave the correlated start behind
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextUint32() / 2 ** 32;
  }

  /** A float in [min, max). */
  range(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError('cannot pick from an empty list');
    return item;
  }
}

function splitmix32(seed: number): number {
  let z = (seed + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}
