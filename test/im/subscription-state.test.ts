// RFC 6121 Appendix A, row by row: the tables below are transcribed from the RFC's text form
// ("EXISTING STATE | ROUTE?/DELIVER? | NEW STATE"), independently of the implementation's tables.
import {
  inbound, outbound, parseState, stateName, STATE_NAMES, type StateName, type SubscriptionType,
} from "../../src/modules/presence/subscription-state.js";

const A2: Record<SubscriptionType, string> = {
  // A.2.1 Subscribe
  subscribe: `
    "None"                  | yes | "None + Pending Out"
    "None + Pending Out"    | yes | no state change
    "None + Pending In"     | yes | "None + Pending Out+In"
    "None + Pending Out+In" | yes | no state change
    "To"                    | yes | no state change
    "To + Pending In"       | yes | no state change
    "From"                  | yes | "From + Pending Out"
    "From + Pending Out"    | yes | no state change
    "Both"                  | yes | no state change`,
  // A.2.2 Unsubscribe
  unsubscribe: `
    "None"                  | yes | no state change
    "None + Pending Out"    | yes | "None"
    "None + Pending In"     | yes | no state change
    "None + Pending Out+In" | yes | "None + Pending In"
    "To"                    | yes | "None"
    "To + Pending In"       | yes | "None + Pending In"
    "From"                  | yes | no state change
    "From + Pending Out"    | yes | "From"
    "Both"                  | yes | "From"`,
  // A.2.3 Subscribed
  subscribed: `
    "None"                  | no  | no state change
    "None + Pending Out"    | no  | no state change
    "None + Pending In"     | yes | "From"
    "None + Pending Out+In" | yes | "From + Pending Out"
    "To"                    | no  | no state change
    "To + Pending In"       | yes | "Both"
    "From"                  | no  | no state change
    "From + Pending Out"    | no  | no state change
    "Both"                  | no  | no state change`,
  // A.2.4 Unsubscribed
  unsubscribed: `
    "None"                  | no  | no state change
    "None + Pending Out"    | no  | no state change
    "None + Pending In"     | yes | "None"
    "None + Pending Out+In" | yes | "None + Pending Out"
    "To"                    | no  | no state change
    "To + Pending In"       | yes | "To"
    "From"                  | yes | "None"
    "From + Pending Out"    | yes | "None + Pending Out"
    "Both"                  | yes | "To"`,
};

const A3: Record<SubscriptionType, string> = {
  // A.3.1 Subscribe (the "no *" rows: the server SHOULD auto-reply "subscribed")
  subscribe: `
    "None"                  | yes | "None + Pending In"
    "None + Pending Out"    | yes | "None + Pending Out+In"
    "None + Pending In"     | no  | no state change
    "None + Pending Out+In" | no  | no state change
    "To"                    | yes | "To + Pending In"
    "To + Pending In"       | no  | no state change
    "From"                  | no* | no state change
    "From + Pending Out"    | no* | no state change
    "Both"                  | no* | no state change`,
  // A.3.2 Unsubscribe
  unsubscribe: `
    "None"                  | no  | no state change
    "None + Pending Out"    | no  | no state change
    "None + Pending In"     | yes | "None"
    "None + Pending Out+In" | yes | "None + Pending Out"
    "To"                    | no  | no state change
    "To + Pending In"       | yes | "To"
    "From"                  | yes | "None"
    "From + Pending Out"    | yes | "None + Pending Out"
    "Both"                  | yes | "To"`,
  // A.3.3 Subscribed
  subscribed: `
    "None"                  | no  | no state change
    "None + Pending Out"    | yes | "To"
    "None + Pending In"     | no  | no state change
    "None + Pending Out+In" | yes | "To + Pending In"
    "To"                    | no  | no state change
    "To + Pending In"       | no  | no state change
    "From"                  | no  | no state change
    "From + Pending Out"    | yes | "Both"
    "Both"                  | no  | no state change`,
  // A.3.4 Unsubscribed
  unsubscribed: `
    "None"                  | no  | no state change
    "None + Pending Out"    | yes | "None"
    "None + Pending In"     | no  | no state change
    "None + Pending Out+In" | yes | "None + Pending In"
    "To"                    | yes | "None"
    "To + Pending In"       | yes | "None + Pending In"
    "From"                  | no  | no state change
    "From + Pending Out"    | yes | "From"
    "Both"                  | yes | "From"`,
};

interface Row { type: SubscriptionType; existing: StateName; pass: boolean; autoReply: boolean; next: StateName }

function rows(tables: Record<SubscriptionType, string>): Row[] {
  return Object.entries(tables).flatMap(([type, text]) =>
    text.trim().split("\n").map((line) => {
      const [existing, pass, next] = line.split("|").map((s) => s.trim().replace(/"/g, ""));
      const from = existing as StateName;
      return { type: type as SubscriptionType, existing: from, pass: pass === "yes", autoReply: pass === "no*", next: (next === "no state change" ? from : next) as StateName };
    }),
  );
}

const outboundRows = rows(A2);
const inboundRows = rows(A3);

test("the transcription covers every state for every stanza, both directions (72 rows)", () => {
  expect(outboundRows).toHaveLength(36);
  expect(inboundRows).toHaveLength(36);
  for (const type of ["subscribe", "subscribed", "unsubscribe", "unsubscribed"]) {
    expect(outboundRows.filter((r) => r.type === type).map((r) => r.existing)).toEqual([...STATE_NAMES]);
    expect(inboundRows.filter((r) => r.type === type).map((r) => r.existing)).toEqual([...STATE_NAMES]);
  }
});

test.each(STATE_NAMES)("state names round-trip: %s", (name) => {
  expect(stateName(parseState(name))).toBe(name);
});

describe("A.2 outbound (user's server)", () => {
  test.each(outboundRows.map((r) => [r.type, r.existing, r]))("%s in %s", (_t, _s, row) => {
    const { route, next } = outbound(parseState(row.existing), row.type);
    expect(route).toBe(row.pass);
    expect(stateName(next)).toBe(row.next);
  });
});

describe("A.3 inbound (contact's server)", () => {
  test.each(inboundRows.map((r) => [r.type, r.existing, r]))("%s in %s", (_t, _s, row) => {
    const { deliver, next, autoReply } = inbound(parseState(row.existing), row.type);
    expect(deliver).toBe(row.pass);
    expect(stateName(next)).toBe(row.next);
    expect(autoReply).toBe(row.autoReply ? "subscribed" : undefined);
  });
});

describe("§3.4 pre-approval", () => {
  const approvable: [StateName, StateName][] = [["None", "From"], ["None + Pending Out", "From + Pending Out"], ["To", "Both"]];

  test.each(approvable)("'subscribed' in %s sets approved, is not routed; a later 'subscribe' is auto-approved into %s", (state, approvedInto) => {
    const pre = outbound(parseState(state), "subscribed");
    expect(pre.route).toBe(false);
    expect(pre.next.approved).toBe(true);
    expect(stateName(pre.next)).toBe(state);
    const request = inbound(pre.next, "subscribe");
    expect(request).toEqual({ deliver: false, autoReply: "subscribed", next: { ...parseState(approvedInto), approved: false } });
  });

  test("the flag survives unrelated changes and is withdrawn by 'unsubscribed'", () => {
    const approved = outbound(parseState("None"), "subscribed").next;
    const asked = outbound(approved, "subscribe").next;
    expect(stateName(asked)).toBe("None + Pending Out");
    expect(asked.approved).toBe(true);
    const withdrawn = outbound(asked, "unsubscribed");
    expect(withdrawn.route).toBe(false);
    expect(withdrawn.next.approved).toBe(false);
    const request = inbound(withdrawn.next, "subscribe");
    expect(request.deliver).toBe(true);
    expect(request.autoReply).toBeUndefined();
  });

  test("a subscription granted the normal way spends the flag", () => {
    const approved = { ...parseState("None + Pending In"), approved: true };
    const { next } = outbound(approved, "subscribed");
    expect(stateName(next)).toBe("From");
    expect(next.approved).toBe(false);
  });
});
