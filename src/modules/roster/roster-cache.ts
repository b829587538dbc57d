import NodeCache from "node-cache";
import type { Roster, RosterItem } from "../../storage/roster.js";
import type { RosterChange } from "../../storage/roster-subscription.js";

export interface CachedRoster {
  version: number;
  /** By contact bare JID. */
  items: Map<string, RosterItem>;
}

interface Loading {
  promise: Promise<CachedRoster>;
  /** A change committed while the load ran: its snapshot may predate it, so load again. */
  stale: boolean;
  evicted: boolean;
}

/**
 * Rosters of online accounts in the main thread, so presence broadcasts don't touch the database.
 * Kept exact with the database by the roster versions (§2.6): every committed change comes back
 * with its roster's new version; the next version is applied in place, a gap (jobs finishing out
 * of order on different workers) drops the entry and the next reader loads it again.
 */
export class RosterCache {
  private readonly cache = new NodeCache({ stdTTL: 0, checkperiod: 0, useClones: false });
  private readonly loading = new Map<string, Loading>();

  constructor(private readonly load: (owner: string) => Promise<Roster>) {}

  /** The account's roster, from memory or loaded once however many callers ask meanwhile. */
  get(owner: string): Promise<CachedRoster> {
    const hit = this.cache.get<CachedRoster>(owner);
    if (hit) return Promise.resolve(hit);
    return (this.loading.get(owner) ?? this.startLoading(owner)).promise;
  }

  /** Committed changes, each roster's in one batch (they share its new version). */
  apply(changes: readonly RosterChange[]): void {
    for (const change of changes) {
      const loading = this.loading.get(change.owner);
      if (loading) {
        loading.stale = true;
        continue;
      }
      const roster = this.cache.get<CachedRoster>(change.owner);
      // Older than what we hold: a reload already included it. Equal: the batch being applied.
      if (!roster || change.version < roster.version) continue;
      if (change.version > roster.version + 1) {
        this.cache.del(change.owner);
        continue;
      }
      roster.version = change.version;
      if (change.item) roster.items.set(change.jid, change.item);
      else roster.items.delete(change.jid);
    }
  }

  evict(owner: string): void {
    this.cache.del(owner);
    const loading = this.loading.get(owner);
    if (loading) loading.evicted = true;
  }

  private startLoading(owner: string): Loading {
    const entry: Loading = { promise: undefined!, stale: false, evicted: false };
    entry.promise = (async () => {
      try {
        for (;;) {
          entry.stale = false;
          const roster = await this.load(owner);
          if (entry.stale) continue;
          const cached: CachedRoster = { version: roster.version, items: new Map(roster.items.map((i) => [i.jid, i])) };
          if (!entry.evicted) this.cache.set(owner, cached);
          return cached;
        }
      } finally {
        this.loading.delete(owner);
      }
    })();
    this.loading.set(owner, entry);
    return entry;
  }
}
