import NodeCache from "node-cache";

/** Lists not used for this long are dropped (reloaded on the next stanza that needs them). */
const TTL_SECONDS = 600;

/**
 * Block lists by username, in the main thread: the route filter reads them for every stanza
 * between local users, synchronously. Loaded on demand from storage; replaced with the committed
 * list on every change. (node-cache's expiry timer is unref'd.)
 */
export class BlocklistCache {
  private readonly cache = new NodeCache({ stdTTL: TTL_SECONDS, checkperiod: 120, useClones: false });
  private readonly loading = new Map<string, Promise<ReadonlySet<string>>>();

  constructor(private readonly fetch: (username: string) => Promise<string[]>) {}

  /** The list if cached, else undefined (call `load`). */
  peek(username: string): ReadonlySet<string> | undefined {
    return this.cache.get<ReadonlySet<string>>(username);
  }

  /** The list, from the cache or storage (one storage read however many callers wait). */
  load(username: string): Promise<ReadonlySet<string>> {
    const cached = this.peek(username);
    if (cached) return Promise.resolve(cached);
    let pending = this.loading.get(username);
    if (!pending) {
      const request: Promise<ReadonlySet<string>> = this.fetch(username).then((jids) => {
        // A change committed while this read was under way wins over what it read.
        if (this.loading.get(username) !== request) return this.peek(username) ?? new Set(jids);
        this.loading.delete(username);
        const items = new Set(jids);
        this.cache.set(username, items);
        return items;
      });
      request.catch(() => this.loading.get(username) === request && this.loading.delete(username));
      this.loading.set(username, (pending = request));
    }
    return pending;
  }

  /** The list as just committed by a block/unblock. */
  replace(username: string, jids: readonly string[]): void {
    this.loading.delete(username);
    this.cache.set(username, new Set(jids));
  }

  forget(username: string): void {
    this.loading.delete(username);
    this.cache.del(username);
  }

  close(): void {
    this.cache.close();
  }
}
