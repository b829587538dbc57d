import { clone, Element } from "ltx";
import { Jid } from "../../jid.js";
import type { ModuleApi } from "../../module.js";
import type { Routing } from "../../routing.js";
import type { Server } from "../../server.js";
import type { Session } from "../../session.js";
import type { RosterItem } from "../../storage/roster.js";
import type { CachedRoster } from "../roster/roster-cache.js";
import { rosterService, type RosterService } from "../roster/roster-service.js";
import { PresenceState } from "./presence-state.js";

const hasFrom = (item: RosterItem | undefined) => item?.subscription === "from" || item?.subscription === "both";
const hasTo = (item: RosterItem) => item.subscription === "to" || item.subscription === "both";

/**
 * RFC 6121 §4 for local accounts: broadcasts, probes, directed presence and its tracking. The
 * subscribers come from the cached roster; delivery goes to each account's available resources,
 * through the routing filters (e.g. XEP-0191 blocking). No s2s: remote contacts are skipped.
 */
export class PresenceService {
  readonly state = new PresenceState();
  readonly rosters: RosterService;
  readonly routing: Routing;

  constructor(private readonly api: ModuleApi) {
    this.rosters = rosterService(api);
    this.routing = api.routing;
    api.on("session.ended", (session) => {
      this.unavailable(session!).catch((err) => api.log.error("unavailable broadcast failed", { error: String(err) }));
    });
  }

  /**
   * §4.2 initial presence and §4.4 updates (available, no 'to'). Returns true for initial presence.
   * §4.2.2: on initial presence the server probes every contact the user is subscribed to ('to'
   * or 'both') and broadcasts to the subscribers; §4.4.2: updates are broadcast the same way.
   */
  async available(session: Session, stanza: Element, priority: number): Promise<boolean> {
    const entry = this.state.entry(session);
    const initial = entry.last === undefined;
    const presence = clone(stanza);
    delete presence.attrs.to;
    entry.last = presence;
    session.priority = priority;
    const roster = await this.rosters.cache.get(session.jid.local);
    this.broadcast(session, presence, roster);
    if (initial) {
      for (const item of roster.items.values()) if (hasTo(item)) await this.answerProbe(session, Jid.parse(item.jid));
    }
    return initial;
  }

  /**
   * §4.5 unavailable (explicit, or `stanza` undefined when the session ended): to the subscribers
   * and the user's other resources, and §4.6.2 to everyone that got directed presence.
   */
  async unavailable(session: Session, stanza?: Element): Promise<void> {
    const entry = stanza ? this.state.entry(session) : this.state.remove(session);
    if (!entry) return;
    const presence = stanza ? clone(stanza) : new Element("presence", { type: "unavailable", from: session.jid.toString() });
    delete presence.attrs.to;
    const wasAvailable = entry.last !== undefined;
    entry.last = undefined;
    session.priority = undefined;
    const directed = [...entry.directed];
    entry.directed.clear();
    if (!wasAvailable && directed.length === 0) return;
    const roster = await this.rosters.cache.get(session.jid.local);
    if (wasAvailable) this.broadcast(session, presence, roster);
    for (const to of directed) {
      const jid = Jid.parse(to);
      // Subscribers already had the broadcast.
      if (wasAvailable && this.isLocal(jid) && hasFrom(roster.items.get(jid.toBareString()))) continue;
      this.routing.route(withTo(presence, to));
    }
  }

  /** §4.6.2: directed presence is routed as is; available presence is remembered for §4.5.2. */
  directed(session: Session, stanza: Element): void {
    const entry = this.state.entry(session);
    const to = Jid.parse(stanza.attrs.to).toString();
    if (stanza.attrs.type === "unavailable") entry.directed.delete(to);
    else entry.directed.add(to);
    this.routing.route(stanza);
  }

  /**
   * §4.3.2, the contact's server answering a probe from the user's `session`: "If the contact …
   * [has] a subscription of 'from' or 'both' … the contact's server MUST send … the full XML of
   * the last presence stanza with no 'to' attribute received from each of the contact's
   * available resources"; otherwise it "MUST NOT reveal the contact's presence".
   */
  async answerProbe(session: Session, contact: Jid): Promise<void> {
    const owner = this.localOwner(contact);
    if (!owner || this.state.available(owner).length === 0) return;
    const theirs = await this.rosters.cache.get(owner);
    if (!hasFrom(theirs.items.get(session.jid.toBareString()))) return;
    for (const entry of this.state.available(owner)) this.sendTo(withTo(entry.last!, session.jid.toString()), session.jid, [session]);
  }

  /** From each available resource of `owner` to the account `to`: its current presence, or unavailable (§3.1.5, §3.2.2, §3.3.3). */
  presenceOf(owner: string, to: Jid, available: boolean): void {
    for (const entry of this.state.available(owner)) {
      const presence = available ? entry.last! : new Element("presence", { type: "unavailable", from: entry.session.jid.toString() });
      this.toAccount(withTo(presence, to.toString()), to);
    }
  }

  /** `stanza` to every available resource of the local account `to` (bare JID). */
  toAccount(stanza: Element, to: Jid): void {
    const owner = this.localOwner(to);
    if (owner) this.sendTo(stanza, to, this.state.available(owner).map((e) => e.session));
  }

  /** The username of a bare JID on one of our domains. */
  localOwner(jid: Jid): string | undefined {
    return jid.local && this.isLocal(jid) ? jid.local : undefined;
  }

  /** §4.2.2 / §4.4.2: to each contact with 'from' or 'both', and to all the user's available resources. */
  private broadcast(session: Session, presence: Element, roster: CachedRoster): void {
    for (const item of roster.items.values()) {
      if (hasFrom(item)) this.toAccount(withTo(presence, item.jid), Jid.parse(item.jid));
    }
    const own = session.jid.bare();
    this.toAccount(withTo(presence, own.toString()), own);
  }

  // Presence the server generates goes through the routing filters like any other (blocking).
  private sendTo(stanza: Element, to: Jid, sessions: Session[]): void {
    if (sessions.length === 0 || this.routing.check(stanza, to)) return;
    for (const session of sessions) session.send(stanza);
  }

  /** Whether the JID's domain is one of ours. */
  isLocal(jid: Jid): boolean {
    return this.api.server.domains.includes(jid.domain);
  }
}

function withTo(presence: Element, to: string): Element {
  const copy = clone(presence);
  copy.attrs.to = to;
  return copy;
}

const services = new WeakMap<Server, PresenceService>();

/** The server's presence service (shared by the presence and roster modules). */
export function presenceService(api: ModuleApi): PresenceService {
  let service = services.get(api.server);
  if (!service) services.set(api.server, (service = new PresenceService(api)));
  return service;
}
