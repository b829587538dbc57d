import type { Element } from "ltx";
import type { Jid } from "../src/jid.js";

/** What the router needs of a bound session (the c2s connection implements it). */
export interface RoutedSession {
  readonly jid: Jid;
  /** Presence priority (RFC 6121 §4.7.2.3); undefined until the session sent available presence. */
  readonly priority: number | undefined;
  /** Writes a stanza addressed to this session. */
  deliver(stanza: Element): void;
  /** Another login took this full JID (RFC 6120 §7.7.2.2): close with a `conflict` stream error. */
  replaced(): void;
}

export type BindPolicy = "replace" | "refuse";

/**
 * The session registry: bound sessions by bare JID, then resource. Lookups are what every
 * routed stanza does, so both levels are Maps keyed by normalised strings.
 */
export class Router {
  private readonly byBare = new Map<string, Map<string, RoutedSession>>();
  private total = 0;

  get size(): number {
    return this.total;
  }

  /**
   * RFC 6120 §7.7.2.2: a resource already in use → either the old session is terminated
   * ("replace") or the new request gets `<conflict/>` ("refuse").
   */
  bind(session: RoutedSession, policy: BindPolicy): "bound" | "conflict" {
    const bare = session.jid.toBareString();
    let resources = this.byBare.get(bare);
    const existing = resources?.get(session.jid.resource);
    if (existing && existing !== session) {
      if (policy === "refuse") return "conflict";
      this.unbind(existing);
      existing.replaced();
      resources = this.byBare.get(bare);
    }
    if (!resources) this.byBare.set(bare, (resources = new Map()));
    if (!resources.has(session.jid.resource)) this.total++;
    resources.set(session.jid.resource, session);
    return "bound";
  }

  unbind(session: RoutedSession): void {
    const bare = session.jid.toBareString();
    const resources = this.byBare.get(bare);
    if (resources?.get(session.jid.resource) !== session) return;
    resources.delete(session.jid.resource);
    this.total--;
    if (resources.size === 0) this.byBare.delete(bare);
  }

  /** The session bound to this full JID. */
  session(full: Jid): RoutedSession | undefined {
    return this.byBare.get(full.toBareString())?.get(full.resource);
  }

  /** Every session of an account (bare JID), in bind order. */
  sessionsOf(bare: Jid | string): RoutedSession[] {
    const resources = this.byBare.get(typeof bare === "string" ? bare : bare.toBareString());
    return resources ? [...resources.values()] : [];
  }

  /** Resources that sent available presence, whatever their priority (RFC 6121 §8.5.2.1.2: presence). */
  presentResources(bare: Jid | string): RoutedSession[] {
    return this.sessionsOf(bare).filter((s) => s.priority !== undefined);
  }

  /** Resources that sent available presence with a non-negative priority (RFC 6121 §8.5.2.1.1). */
  availableResources(bare: Jid | string): RoutedSession[] {
    return this.sessionsOf(bare).filter((s) => s.priority !== undefined && s.priority >= 0);
  }

  /** The resources a message to the bare JID goes to: those with the highest non-negative priority. */
  highestPriority(bare: Jid | string): RoutedSession[] {
    const available = this.availableResources(bare);
    const top = Math.max(...available.map((s) => s.priority!));
    return available.filter((s) => s.priority === top);
  }

  all(): IterableIterator<RoutedSession> {
    const maps = this.byBare.values();
    return (function* () {
      for (const resources of maps) yield* resources.values();
    })();
  }
}
