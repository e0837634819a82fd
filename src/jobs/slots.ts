/** A counting semaphore: at most `size` holders at once, the others served in arrival order. */
export class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`slots: size must be a positive integer, not ${size}`);
    this.free = size;
  }

  /** Resolves, once a slot is free, to the function that gives it back (call it exactly once). */
  async acquire(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let given = false;
    return () => {
      if (given) return;
      given = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }

  /** Holders waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }
}
