/**
 * RFC 6120 §10.1: "the server MUST ensure that it processes stanzas from a given entity in the
 * order received". One queue per connection runs one item at a time, in arrival order, even
 * when an item waits on a Promise or a worker job; other connections' queues go on meanwhile.
 * Items finishing synchronously are drained in a loop, not by recursion.
 */
export class OrderedQueue<T> {
  private items: T[] = [];
  private head = 0;
  private busy = false;
  private draining = false;
  private idleWaiters: (() => void)[] | undefined;

  constructor(
    private readonly process: (item: T, done: () => void) => void,
    /** A throwing `process` must not wedge the queue: the item counts as done and this hears of it. */
    private readonly onError: (err: unknown, item: T) => void = rethrowLater,
  ) {}

  get size(): number {
    return this.items.length - this.head + (this.busy ? 1 : 0);
  }

  push(item: T): void {
    this.items.push(item);
    if (!this.busy && !this.draining) this.drain();
  }

  /** Resolves when nothing is queued or running (used by graceful shutdown and tests). */
  idle(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => (this.idleWaiters ??= []).push(resolve));
  }

  /** Drops everything not yet started (connection closed). */
  clear(): void {
    this.items = [];
    this.head = 0;
    if (!this.busy) this.notifyIdle();
  }

  private drain(): void {
    this.draining = true;
    while (!this.busy && this.head < this.items.length) {
      const item = this.items[this.head];
      this.items[this.head++] = undefined as T; // let it be collected
      this.busy = true;
      let finished = false;
      const done = () => {
        if (finished) return; // done() called twice: ignore
        finished = true;
        this.busy = false;
        if (!this.draining) this.drain();
      };
      try {
        this.process(item, done);
      } catch (err) {
        done();
        this.onError(err, item);
      }
    }
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    }
    this.draining = false;
    if (!this.busy) this.notifyIdle();
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    if (waiters === undefined) return;
    this.idleWaiters = undefined;
    for (const resolve of waiters) resolve();
  }
}

function rethrowLater(err: unknown): void {
  queueMicrotask(() => {
    throw err;
  });
}
