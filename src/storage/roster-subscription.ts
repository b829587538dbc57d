// Roster changes as transactions over both accounts' rosters: with both users local, one call does
// the user's server's outbound processing and the contact's server's inbound processing (RFC 6121
// §3, Appendix A), so the two rosters never disagree.
import {
  inbound, outbound, type SubState, type SubscriptionType,
} from "../modules/presence/subscription-state.js";
import type { RosterItem, RosterStore } from "./roster.js";

/** One roster item as it became (or `item` undefined: removed), at the roster's new version. */
export interface RosterChange {
  owner: string;
  version: number;
  jid: string;
  item?: RosterItem;
}

/** What the server must send once the transaction committed, in order. */
export type SubscriptionEffect =
  /** §A.2 "ROUTE?": the user's stanza goes to the contact; `deliver` is §A.3 "DELIVER?" (false: no such account). */
  | { kind: "forward"; deliver: boolean }
  /** The contact's server answered for the contact (§3.1.3), delivered to the user if `deliver`. */
  | { kind: "reply"; type: "subscribed" | "unsubscribed"; deliver: boolean }
  /** Presence from every available resource of `from` to the other side: current (`available`) or unavailable. */
  | { kind: "presence"; from: "user" | "contact"; available: boolean };

export interface SubscriptionRequest {
  /** Bare JIDs; the user is a local account. */
  user: string;
  contact: string;
  type: SubscriptionType;
  /** Whether the contact's domain is ours (else only the outbound half runs). */
  contactLocal: boolean;
  /** The subscribe stanza as the contact receives it, stored while the request is pending (§3.1.3). */
  stanza?: string;
}

export interface SubscriptionOutcome {
  changes: RosterChange[];
  effects: SubscriptionEffect[];
}

/** The account a bare JID names; "" for a domain. */
function username(bare: string): string {
  const at = bare.indexOf("@");
  return at === -1 ? "" : bare.slice(0, at);
}
const hasTo = (s: SubState) => s.subscription === "to" || s.subscription === "both";
const hasFrom = (s: SubState) => s.subscription === "from" || s.subscription === "both";

/** The edits of one transaction; each touched roster's version goes up once, at `finish`. */
export class RosterEdit {
  private readonly changes: RosterChange[] = [];

  constructor(
    readonly store: RosterStore,
    /** Whether a local account exists (the contact side only exists for real accounts). */
    readonly accountExists: (username: string) => boolean,
  ) {}

  state(owner: string, contact: string): { item: RosterItem | undefined; sub: SubState } {
    const item = this.store.item(owner, contact);
    const pendingIn = this.store.pendingIn(owner, contact) !== undefined;
    const sub: SubState = item
      ? { subscription: item.subscription, pendingOut: item.ask, pendingIn, approved: item.approved }
      : { subscription: "none", pendingOut: false, pendingIn, approved: false };
    return { item, sub };
  }

  /**
   * Writes `next`. An item is created only when the state needs one (a subscription, a pending
   * outbound request or a pre-approval); Pending In lives in its own table, so a bare request
   * from a stranger does not put them in the roster.
   */
  setState(owner: string, contact: string, before: { item: RosterItem | undefined; sub: SubState }, next: SubState, stanza?: string): void {
    if (next.pendingIn !== before.sub.pendingIn) {
      if (next.pendingIn) this.store.setPendingIn(owner, contact, stanza ?? "");
      else this.store.clearPendingIn(owner, contact);
    }
    const needed = next.subscription !== "none" || next.pendingOut || next.approved;
    if (!before.item && !needed) return;
    const base = before.item ?? { jid: contact, groups: [] };
    const item: RosterItem = { ...base, subscription: next.subscription, ask: next.pendingOut, approved: next.approved };
    const old = before.item;
    if (old && old.subscription === item.subscription && old.ask === item.ask && old.approved === item.approved) return;
    this.store.put(owner, item);
    this.record(owner, contact, item);
  }

  record(owner: string, jid: string, item: RosterItem | undefined): void {
    this.changes.push({ owner, version: 0, jid, item });
  }

  /** Bumps each touched roster's version once and returns the changes (last one per item). */
  finish(): RosterChange[] {
    const versions = new Map<string, number>();
    const last = new Map<string, RosterChange>();
    for (const change of this.changes) {
      if (!versions.has(change.owner)) versions.set(change.owner, this.store.bumpVersion(change.owner));
      last.delete(`${change.owner}\n${change.jid}`);
      last.set(`${change.owner}\n${change.jid}`, change);
    }
    return [...last.values()].map((c) => ({ ...c, version: versions.get(c.owner)! }));
  }
}

/**
 * RFC 6121 §3: one subscription stanza from `user` to `contact`, both halves (§A.2 then §A.3),
 * inside the caller's transaction. Returns the effects to carry out after the commit.
 */
export function subscriptionStep(edit: RosterEdit, req: SubscriptionRequest): SubscriptionEffect[] {
  const effects: SubscriptionEffect[] = [];
  const userOwner = username(req.user);
  const mine = edit.state(userOwner, req.contact);
  const out = outbound(mine.sub, req.type);
  edit.setState(userOwner, req.contact, mine, out.next);
  if (!out.route) return effects;
  const contactOwner = username(req.contact);
  if (!req.contactLocal || !edit.accountExists(contactOwner)) {
    effects.push({ kind: "forward", deliver: false });
    // §8.5.1 / §3.1.3: a subscription request to an account that does not exist is answered
    // with "unsubscribed" — processed as an inbound "unsubscribed" (§A.3.4).
    if (req.contactLocal && req.type === "subscribe") reply(edit, userOwner, req.contact, "unsubscribed", effects);
    return effects;
  }
  const theirs = edit.state(contactOwner, req.user);
  const inb = inbound(theirs.sub, req.type);
  edit.setState(contactOwner, req.user, theirs, inb.next, req.stanza);
  // §3.2.2: cancelling the contact's subscription sends unavailable from every available
  // resource while the contact is still subscribed, i.e. before the "unsubscribed".
  if (req.type === "unsubscribed" && hasFrom(mine.sub)) effects.push({ kind: "presence", from: "user", available: false });
  effects.push({ kind: "forward", deliver: inb.deliver });
  // §3.1.5: granting it is followed by the user's current presence.
  if (req.type === "subscribed") effects.push({ kind: "presence", from: "user", available: true });
  // §3.3.3: after an "unsubscribe" the contact's server sends unavailable from the contact's resources.
  if (req.type === "unsubscribe" && hasFrom(theirs.sub)) effects.push({ kind: "presence", from: "contact", available: false });
  if (inb.autoReply) {
    reply(edit, userOwner, req.contact, inb.autoReply, effects);
    // §3.1.5: a "subscribed" is followed by the contact's current presence.
    effects.push({ kind: "presence", from: "contact", available: true });
  }
  return effects;
}

/** The contact's server answers for the contact; the user's server processes it inbound (§A.3). */
function reply(edit: RosterEdit, userOwner: string, contact: string, type: "subscribed" | "unsubscribed", effects: SubscriptionEffect[]): void {
  const mine = edit.state(userOwner, contact);
  const inb = inbound(mine.sub, type);
  edit.setState(userOwner, contact, mine, inb.next);
  effects.push({ kind: "reply", type, deliver: inb.deliver });
}

export interface RemoveOutcome {
  changes: RosterChange[];
  /** The subscription stanzas the removal sent (§2.5.2), each with its effects. */
  steps: { type: "unsubscribe" | "unsubscribed"; effects: SubscriptionEffect[] }[];
}

/**
 * RFC 6121 §2.5.2: removing an item cancels subscriptions both ways — "unsubscribe" if the user
 * is subscribed to the contact (or asked to be), "unsubscribed" if the contact is subscribed to
 * the user (or asked to be). Undefined when there is no such item (§2.5.3: item-not-found).
 */
export function removeItem(edit: RosterEdit, user: string, contact: string, contactLocal: boolean): RemoveOutcome | undefined {
  const owner = username(user);
  const { item, sub } = edit.state(owner, contact);
  if (!item) return undefined;
  const steps: RemoveOutcome["steps"] = [];
  if (hasTo(sub) || sub.pendingOut) steps.push({ type: "unsubscribe", effects: subscriptionStep(edit, { user, contact, type: "unsubscribe", contactLocal }) });
  if (hasFrom(sub) || sub.pendingIn) steps.push({ type: "unsubscribed", effects: subscriptionStep(edit, { user, contact, type: "unsubscribed", contactLocal }) });
  edit.store.remove(owner, contact);
  edit.store.clearPendingIn(owner, contact);
  edit.record(owner, contact, undefined);
  return { changes: edit.finish(), steps };
}
