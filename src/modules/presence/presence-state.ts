import type { Element } from "ltx";
import type { Session } from "../../session.js";

/** What the server remembers of one session's presence (in memory only). */
export interface PresenceEntry {
  readonly session: Session;
  /** The last available presence it broadcast (RFC 6121 §4.4), with its full JID as `from`. */
  last: Element | undefined;
  /** §4.6.2: entities it sent directed available presence to, owed "unavailable" when it goes (§4.5.2). */
  readonly directed: Set<string>;
}

/** Presence of the sessions of one server, by account (username) then session id. */
export class PresenceState {
  private readonly byAccount = new Map<string, Map<string, PresenceEntry>>();

  entry(session: Session): PresenceEntry {
    const owner = session.jid.local;
    let entries = this.byAccount.get(owner);
    if (!entries) this.byAccount.set(owner, (entries = new Map()));
    let entry = entries.get(session.id);
    if (!entry) entries.set(session.id, (entry = { session, last: undefined, directed: new Set() }));
    return entry;
  }

  /** The account's available resources: those whose last broadcast presence was available. */
  available(owner: string): PresenceEntry[] {
    const entries = this.byAccount.get(owner);
    if (!entries) return [];
    return [...entries.values()].filter((e) => e.last !== undefined);
  }

  /** Forgets the session; returns what was known of it. */
  remove(session: Session): PresenceEntry | undefined {
    const entries = this.byAccount.get(session.jid.local);
    const entry = entries?.get(session.id);
    entries?.delete(session.id);
    if (entries?.size === 0) this.byAccount.delete(session.jid.local);
    return entry;
  }
}
