import { Element, parse } from "ltx";

/**
 * jest matchers for stanzas. `expect(el).toMatchStanza(pattern)`: the pattern (XML text or an
 * ltx Element) lists what must be there — every attribute it has with the same value, every child
 * element it has (in any order, matched recursively), and its text if it has any; anything else
 * the stanza carries is allowed. On failure the message shows both as XML, with jest's diff.
 *
 *   import { stanzaMatchers } from "tjabberd/testing";
 *   expect.extend(stanzaMatchers);
 *   expect(await bob.next({ name: "message" })).toMatchStanza(`<message type="chat"><body>hi</body></message>`);
 */
export function stanzaMatches(actual: Element, pattern: Element): boolean {
  if (actual.name !== pattern.name) return false;
  for (const [name, value] of Object.entries(pattern.attrs)) {
    if (name === "xmlns" ? actual.getNS() !== value : actual.attrs[name] !== value) return false;
  }
  const text = pattern.getText();
  if (text.trim() !== "" && actual.getText() !== text) return false;
  const candidates = actual.getChildElements();
  return pattern.getChildElements().every((p) => candidates.some((c) => stanzaMatches(c, p)));
}

interface MatcherContext {
  isNot?: boolean;
  utils: { diff(a: unknown, b: unknown): string | null; printReceived(x: unknown): string };
}

export const stanzaMatchers = {
  toMatchStanza(this: MatcherContext, received: unknown, expected: string | Element) {
    const pattern = typeof expected === "string" ? (parse(expected) as Element) : expected;
    if (!(received instanceof Element)) {
      return { pass: false, message: () => `expected a stanza (ltx Element), received ${this.utils.printReceived(received)}` };
    }
    const pass = stanzaMatches(received, pattern);
    return {
      pass,
      message: () =>
        pass
          ? `expected the stanza not to match\n  ${pattern.toString()}\nreceived\n  ${received.toString()}`
          : `expected the stanza to contain everything in the pattern (attributes, children, text)\n\n${this.utils.diff(pretty(pattern), pretty(received)) ?? ""}`,
    };
  },
};

/** One element per line, indented, so jest's line diff points at the difference. */
function pretty(el: Element, depth = 0): string {
  const pad = "  ".repeat(depth);
  const attrs = Object.entries(el.attrs).map(([k, v]) => ` ${k}="${v}"`).join("");
  const children = el.getChildElements();
  const text = el.getText().trim();
  if (children.length === 0) return `${pad}<${el.name}${attrs}>${text}</${el.name}>`;
  return [`${pad}<${el.name}${attrs}>${text}`, ...children.map((c) => pretty(c, depth + 1)), `${pad}</${el.name}>`].join("\n");
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      /** The stanza has every attribute, child (recursively) and text the pattern has. */
      toMatchStanza(pattern: string | Element): R;
    }
  }
}
