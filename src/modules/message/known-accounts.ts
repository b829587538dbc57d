import NodeCache from "node-cache";
import type { Server } from "../../server.js";

/**
 * Which usernames exist (RFC 6121 §8.5.1), as learnt from storage: the offline-store job answers
 * it in the same transaction that stores. Read for every message to an offline user, so a flood
 * to an unknown account costs no job each. Short TTL, as accounts can be created by another
 * process (the CLI); code that creates or deletes an account in-process calls `forget`.
 * (node-cache's expiry timer is unref'd.)
 */
export class KnownAccounts {
  private readonly cache = new NodeCache({ stdTTL: 30, checkperiod: 60, useClones: false });

  /** true / false when known, undefined when storage has to be asked. */
  exists(username: string): boolean | undefined {
    return this.cache.get<boolean>(username);
  }

  remember(username: string, exists: boolean): void {
    this.cache.set(username, exists);
  }

  forget(username: string): void {
    this.cache.del(username);
  }
}

const perServer = new WeakMap<Server, KnownAccounts>();

/** The server's known-accounts cache (one per server instance). */
export function knownAccounts(server: Server): KnownAccounts {
  let cache = perServer.get(server);
  if (!cache) perServer.set(server, (cache = new KnownAccounts()));
  return cache;
}
