// RFC 6121 Appendix A: the presence subscription states and what the four subscription stanzas
// do to them, as the RFC's own tables (one row per state). Pure: storage applies the result.

/** RFC 6121 §A.1 "Defined States". */
export const STATE_NAMES = [
  "None", "None + Pending Out", "None + Pending In", "None + Pending Out+In",
  "To", "To + Pending In", "From", "From + Pending Out", "Both",
] as const;
export type StateName = (typeof STATE_NAMES)[number];

export const SUBSCRIPTION_TYPES = ["subscribe", "subscribed", "unsubscribe", "unsubscribed"] as const;
export type SubscriptionType = (typeof SUBSCRIPTION_TYPES)[number];

export type Subscription = "none" | "to" | "from" | "both";

/** One side's view of a contact: roster `subscription`, `ask` (Pending Out), Pending In, §3.4 pre-approval. */
export interface SubState {
  subscription: Subscription;
  pendingOut: boolean;
  pendingIn: boolean;
  approved: boolean;
}

/** [route or deliver?, new state or null for "no state change"] */
type Row = readonly [boolean, StateName | null];
type Table = Readonly<Record<StateName, Row>>;

const table = (rows: Row[]): Table => Object.fromEntries(STATE_NAMES.map((name, i) => [name, rows[i]])) as Table;
const Y = true;
const N = false;

/** §A.2: the user's server, processing what the user sends ("ROUTE?"). Rows in §A.1 order. */
export const OUTBOUND: Readonly<Record<SubscriptionType, Table>> = {
  // §A.2.1 Subscribe
  subscribe: table([
    [Y, "None + Pending Out"], [Y, null], [Y, "None + Pending Out+In"], [Y, null],
    [Y, null], [Y, null], [Y, "From + Pending Out"], [Y, null], [Y, null],
  ]),
  // §A.2.2 Unsubscribe
  unsubscribe: table([
    [Y, null], [Y, "None"], [Y, null], [Y, "None + Pending In"],
    [Y, "None"], [Y, "None + Pending In"], [Y, null], [Y, "From"], [Y, "From"],
  ]),
  // §A.2.3 Subscribed
  subscribed: table([
    [N, null], [N, null], [Y, "From"], [Y, "From + Pending Out"],
    [N, null], [Y, "Both"], [N, null], [N, null], [N, null],
  ]),
  // §A.2.4 Unsubscribed
  unsubscribed: table([
    [N, null], [N, null], [Y, "None"], [Y, "None + Pending Out"],
    [N, null], [Y, "To"], [Y, "None"], [Y, "None + Pending Out"], [Y, "To"],
  ]),
};

/** §A.3: the contact's server, processing what arrives for the contact ("DELIVER?"). */
export const INBOUND: Readonly<Record<SubscriptionType, Table>> = {
  // §A.3.1 Subscribe ("From", "From + Pending Out", "Both": not delivered, auto-replied below)
  subscribe: table([
    [Y, "None + Pending In"], [Y, "None + Pending Out+In"], [N, null], [N, null],
    [Y, "To + Pending In"], [N, null], [N, null], [N, null], [N, null],
  ]),
  // §A.3.2 Unsubscribe
  unsubscribe: table([
    [N, null], [N, null], [Y, "None"], [Y, "None + Pending Out"],
    [N, null], [Y, "To"], [Y, "None"], [Y, "None + Pending Out"], [Y, "To"],
  ]),
  // §A.3.3 Subscribed
  subscribed: table([
    [N, null], [Y, "To"], [N, null], [Y, "To + Pending In"],
    [N, null], [N, null], [N, null], [Y, "Both"], [N, null],
  ]),
  // §A.3.4 Unsubscribed
  unsubscribed: table([
    [N, null], [Y, "None"], [N, null], [Y, "None + Pending In"],
    [Y, "None"], [Y, "None + Pending In"], [N, null], [Y, "From"], [Y, "From"],
  ]),
};

/** The §A.1 name of a state; `ask` only counts without "to", Pending In only without "from". */
export function stateName(s: SubState): StateName {
  const out = s.pendingOut && (s.subscription === "none" || s.subscription === "from");
  const inn = s.pendingIn && (s.subscription === "none" || s.subscription === "to");
  switch (s.subscription) {
    case "none":
      return out && inn ? "None + Pending Out+In" : out ? "None + Pending Out" : inn ? "None + Pending In" : "None";
    case "to":
      return inn ? "To + Pending In" : "To";
    case "from":
      return out ? "From + Pending Out" : "From";
    case "both":
      return "Both";
  }
}

/** The state a §A.1 name stands for (no pre-approval). */
export function parseState(name: StateName): SubState {
  const [base] = name.split(" ");
  return {
    subscription: base.toLowerCase() as Subscription,
    pendingOut: name.includes("Out"),
    pendingIn: name.includes("In"),
    approved: false,
  };
}

// §3.4: the 'approved' flag only means something while the contact has no subscription to the
// user; once "From" or "Both", it is spent.
function withApproval(next: SubState, approved: boolean): SubState {
  return { ...next, approved: approved && (next.subscription === "none" || next.subscription === "to") };
}

const APPROVABLE: readonly StateName[] = ["None", "None + Pending Out", "To"];
const PRE_APPROVED: Partial<Record<StateName, StateName>> = { None: "From", "None + Pending Out": "From + Pending Out", To: "Both" };

export interface OutboundResult {
  /** §A.2 "ROUTE?": the stanza goes on to the contact. */
  route: boolean;
  next: SubState;
}

/** The user's server processing a subscription stanza the user sent (§A.2, §3.4). */
export function outbound(state: SubState, type: SubscriptionType): OutboundResult {
  const name = stateName(state);
  // §3.4: "subscribed" with no request pending is a pre-approval: the user's server "MUST note
  // the subscription pre-approval by setting the 'approved' flag" and does not route it.
  if (type === "subscribed" && APPROVABLE.includes(name)) {
    return { route: false, next: withApproval(state, true) };
  }
  const [route, to] = OUTBOUND[type][name];
  // §3.2.2: "unsubscribed" while pre-approved removes the pre-approval (and is not routed).
  return { route, next: withApproval(to ? parseState(to) : state, state.approved && type !== "unsubscribed") };
}

export interface InboundResult {
  /** §A.3 "DELIVER?": the stanza goes to the contact's available resources. */
  deliver: boolean;
  next: SubState;
  /** The contact's server answers for the contact (§3.1.3). */
  autoReply?: "subscribed";
}

/** The contact's server processing a subscription stanza from the user (§A.3, §3.1.3). */
export function inbound(state: SubState, type: SubscriptionType): InboundResult {
  const name = stateName(state);
  if (type === "subscribe") {
    // §3.1.3: a pre-approved request is answered "subscribed" by the server, not delivered.
    const approvedTo = state.approved ? PRE_APPROVED[name] : undefined;
    if (approvedTo) return { deliver: false, next: { ...parseState(approvedTo), approved: false }, autoReply: "subscribed" };
    // §A.3.1 note: the user already has a subscription ("From", "From + Pending Out", "Both"):
    // the contact's server SHOULD auto-reply with "subscribed".
    if (state.subscription === "from" || state.subscription === "both") return { deliver: false, next: state, autoReply: "subscribed" };
  }
  const [deliver, to] = INBOUND[type][name];
  return { deliver, next: to ? withApproval(parseState(to), state.approved) : state };
}
