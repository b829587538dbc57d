import { Element } from "ltx";
import { siblingModule } from "../../../actors/worker-jobs.js";
import type { ModuleApi } from "../../module.js";
import type { Server } from "../../server.js";
import type { Session } from "../../session.js";
import type { Roster } from "../../storage/roster.js";
import type { RosterChange } from "../../storage/roster-subscription.js";
import { RosterCache } from "./roster-cache.js";
import { itemElement, queryElement, removedItemElement } from "./roster-xml.js";

/**
 * The rosters of one server as the roster and presence modules share them: the cache of online
 * accounts' rosters, who is online, and the "interested resources" (RFC 6121 §2.1.6: those that
 * requested the roster) that get roster pushes.
 */
export class RosterService {
  readonly cache: RosterCache;
  private readonly online = new Map<string, Set<Session>>();
  private readonly interested = new Set<Session>();
  private pushId = 0;

  constructor(api: ModuleApi) {
    const server = api.server;
    api.jobs(siblingModule(import.meta.url, "../../storage/roster-jobs"));
    this.cache = new RosterCache((owner) => server.pool.run("roster.load", { owner }) as Promise<Roster>);
    api.on("session.started", (session) => this.started(session!));
    api.on("session.ended", (session) => this.ended(session!));
  }

  /** §2.1.6: from now on this resource gets roster pushes. */
  markInterested(session: Session): void {
    this.interested.add(session);
  }

  /**
   * Committed changes: into the cache, then a push per change to every interested resource of
   * the roster's owner (§2.1.6), carrying the new version (§2.6.3).
   */
  changed(changes: readonly RosterChange[]): void {
    this.cache.apply(changes);
    for (const change of changes) {
      for (const session of this.online.get(change.owner) ?? []) {
        if (!this.interested.has(session)) continue;
        const item = change.item ? itemElement(change.item) : removedItemElement(change.jid);
        const push = new Element("iq", { type: "set", id: `push${++this.pushId}`, to: session.jid.toString() });
        session.send(push.cnode(queryElement(change.version, [item])).root());
      }
    }
  }

  private started(session: Session): void {
    const owner = session.jid.local;
    const sessions = this.online.get(owner) ?? new Set();
    this.online.set(owner, sessions.add(session));
    // The roster is loaded on first use (roster get, initial presence), not at login: a session
    // that never needs it costs no storage read.
  }

  private ended(session: Session): void {
    const owner = session.jid.local;
    this.interested.delete(session);
    const sessions = this.online.get(owner);
    sessions?.delete(session);
    if (sessions?.size) return;
    this.online.delete(owner);
    // After the other session.ended hooks (the unavailable broadcast reads this roster).
    setImmediate(() => {
      if (!this.online.has(owner)) this.cache.evict(owner);
    });
  }
}

const services = new WeakMap<Server, RosterService>();

/** The server's roster service, created (and its job module registered) by the first module asking. */
export function rosterService(api: ModuleApi): RosterService {
  let service = services.get(api.server);
  if (!service) services.set(api.server, (service = new RosterService(api)));
  return service;
}
