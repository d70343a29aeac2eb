// Bounded concurrency for heavy operations (imports, CSV exports): at most `max` run at once, a few
// more wait their turn, the rest are told to come back (503 + Retry-After). Interactive requests never
// wait here, so a burst of imports cannot take the whole connection pool.
export class HeavyLimiter {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(
    readonly max: number,
    readonly maxWaiting: number,
  ) {}

  /** Runs fn when a slot is free; null (without running it) when the queue is full too. */
  async run<T>(fn: () => Promise<T>): Promise<{ value: T } | null> {
    if (this.running >= this.max) {
      if (this.waiting.length >= this.maxWaiting) return null;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return { value: await fn() };
    } finally {
      const next = this.waiting.shift();
      if (next) next(); // the slot passes straight to the next waiter
      else this.running--;
    }
  }

  get active() {
    return this.running;
  }
}
