import { StreamError } from "../errors.js";
import { isNameChar, isNameStart, isXmlChar } from "./chars.js";

/** Longest reference we wait for across chunks: `&#x10FFFF;` and the predefined names are far shorter. */
export const MAX_REFERENCE_LENGTH = 32;

const PREDEFINED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/**
 * Replaces entity and character references in `s` (which contains at least one `&`).
 * RFC 6120 §11.1: "An XMPP entity MUST NOT ... process ... internal or external entity references
 * (with the exception of the predefined entities)" → any other named entity is `restricted-xml`;
 * a reference that is not even syntactically one is `not-well-formed`.
 */
export function decodeReferences(s: string): string {
  let out = "";
  let from = 0;
  let amp = s.indexOf("&");
  while (amp !== -1) {
    const semi = s.indexOf(";", amp + 1);
    if (semi === -1 || semi - amp > MAX_REFERENCE_LENGTH) {
      throw new StreamError("not-well-formed", "unterminated reference");
    }
    out += s.slice(from, amp) + resolveReference(s.slice(amp + 1, semi));
    from = semi + 1;
    amp = s.indexOf("&", from);
  }
  return out + s.slice(from);
}

function resolveReference(ref: string): string {
  if (ref.charCodeAt(0) === 35 /* # */) return characterReference(ref);
  const known = PREDEFINED[ref];
  if (known !== undefined && Object.hasOwn(PREDEFINED, ref)) return known;
  if (!isName(ref)) throw new StreamError("not-well-formed", "malformed reference");
  throw new StreamError("restricted-xml", `entity reference &${ref};`);
}

// XML 1.0 §4.1 CharRef: '&#' [0-9]+ ';' | '&#x' [0-9a-fA-F]+ ';', and it must name a legal Char.
function characterReference(ref: string): string {
  const hex = ref.charCodeAt(1) === 120; /* x */
  const digits = ref.slice(hex ? 2 : 1);
  if (digits.length === 0 || !(hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)) {
    throw new StreamError("not-well-formed", "malformed character reference");
  }
  const cp = parseInt(digits, hex ? 16 : 10);
  if (!isXmlChar(cp)) throw new StreamError("not-well-formed", "illegal character reference");
  return String.fromCodePoint(cp);
}

function isName(s: string): boolean {
  if (s.length === 0 || !isNameStart(s.charCodeAt(0))) return false;
  for (let i = 1; i < s.length; i++) if (!isNameChar(s.charCodeAt(i))) return false;
  return true;
}
