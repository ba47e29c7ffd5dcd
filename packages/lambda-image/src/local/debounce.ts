// Collects a burst of file events into one batch: an editor's save is several events (write,
// rename, chmod, a swap file), a `git checkout` hundreds; each batch should cost one cycle.

export class Debouncer<T> {
  private readonly items = new Set<T>();
  private timer: NodeJS.Timeout | undefined;
  private readonly quietMs: number;
  private readonly flush: (items: T[]) => void;

  /** `flush` gets the distinct items once `quietMs` have passed without a new one. */
  constructor(quietMs: number, flush: (items: T[]) => void) {
    this.quietMs = quietMs;
    this.flush = flush;
  }

  add(item: T): void {
    this.items.add(item);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.fire(), this.quietMs);
  }

  /** Drops what is waiting (watching stops). */
  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.items.clear();
  }

  private fire(): void {
    this.timer = undefined;
    const items = [...this.items];
    this.items.clear();
    if (items.length > 0) this.flush(items);
  }
}
