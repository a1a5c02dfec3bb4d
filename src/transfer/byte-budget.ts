/**
 * Bounds the bytes an upload holds in memory at once: each file's bytes are taken from the budget before it is
 * read and given back once its request is over. A file larger than the whole budget waits until nothing else
 * is held and then runs alone, so the peak is the larger of the budget and the largest file.
 */
export class ByteBudget {
  readonly limit: number;
  private held = 0;
  private readonly waiting: { bytes: number; grant: () => void }[] = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`the memory budget must be a whole number of bytes >= 1, got ${limit}`);
    this.limit = limit;
  }

  /** Resolves once `bytes` are granted; call the returned function to give them back (once). */
  async acquire(bytes: number): Promise<() => void> {
    const amount = Math.min(Math.max(0, bytes), this.limit);
    // First come, first served: a large file is not overtaken forever by small ones.
    if (this.waiting.length > 0 || this.held + amount > this.limit) await new Promise<void>((grant) => this.waiting.push({ bytes: amount, grant }));
    else this.held += amount;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held -= amount;
      this.grantWaiting();
    };
  }

  /** Bytes granted and not given back yet. */
  get inUse(): number {
    return this.held;
  }

  private grantWaiting(): void {
    for (let next = this.waiting[0]; next !== undefined && this.held + next.bytes <= this.limit; next = this.waiting[0]) {
      this.waiting.shift();
      this.held += next.bytes;
      next.grant();
    }
  }
}
