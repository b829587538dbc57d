// The XML side of SASL negotiation (RFC 6120 §6.4): reading <auth/>, <response/>, <abort/> and
// writing <mechanisms/>, <challenge/>, <success/>, <failure/>.
import { Element } from "ltx";
import { encodeSaslPayload } from "./base64.js";
import type { SaslStep } from "./types.js";

export const NS_SASL = "urn:ietf:params:xml:ns:xmpp-sasl";

/** What the initiating entity sent; payloads stay base64 text for the mechanism to decode. */
export type SaslClientMessage =
  /** `initialResponse` undefined: none was sent (an empty element), RFC 6120 §6.4.2. */
  | { kind: "auth"; mechanism: string; initialResponse?: string }
  | { kind: "response"; data: string }
  | { kind: "abort" };

/** The SASL message `el` carries, or null when it is not one of ours. */
export function parseSaslElement(el: Element): SaslClientMessage | null {
  if (el.getNS() !== NS_SASL) return null;
  const text = el.getText();
  switch (el.getName()) {
    case "auth": {
      const mechanism = String(el.attrs.mechanism ?? "");
      return text === "" ? { kind: "auth", mechanism } : { kind: "auth", mechanism, initialResponse: text };
    }
    case "response":
      return { kind: "response", data: text };
    case "abort":
      return { kind: "abort" };
    default:
      return null;
  }
}

/** RFC 6120 §6.4.1: `<mechanisms/>` stream feature, in order of preference. */
export function mechanismsElement(names: readonly string[]): Element {
  const el = new Element("mechanisms", { xmlns: NS_SASL });
  for (const name of names) el.c("mechanism").t(name).up();
  return el;
}

type WireStep = Extract<SaslStep, { kind: "challenge" | "success" | "failure" }>;

/** The element to send for a challenge, success or failure step. */
export function saslStepElement(step: WireStep): Element {
  switch (step.kind) {
    case "challenge":
      return textElement("challenge", encodeSaslPayload(step.data));
    case "success":
      return textElement("success", encodeSaslPayload(step.data));
    case "failure": {
      // RFC 6120 §6.4.5: <failure/> holds one defined condition and an optional <text/>.
      const el = new Element("failure", { xmlns: NS_SASL });
      el.c(step.condition);
      if (step.text) el.c("text", { "xml:lang": "en" }).t(step.text);
      return el;
    }
  }
}

function textElement(name: string, text: string): Element {
  const el = new Element(name, { xmlns: NS_SASL });
  if (text) el.t(text);
  return el;
}
