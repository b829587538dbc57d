// XMPP addresses (JIDs) per RFC 7622, with the PRECIS profiles it names (RFC 8264, RFC 8265).
//
// Most traffic carries plain ASCII JIDs, so every part has a hot path that scans char codes
// once and never calls normalize(); only strings with a code point >= 0x80 take the Unicode
// path. Nothing is cached across Jid instances (no global, unbounded memory).
//
// Approximations, deliberately small:
// - Localpart case mapping uses String#toLowerCase (Unicode full lower-casing), the same
//   operation RFC 8265 §3.3.2 names for UsernameCaseMapped; PRECIS directionality (bidi)
//   rule and the RFC 5892 per-code-point exceptions (e.g. CONTEXTO for U+00B7) are not applied.
// - Class membership is computed from the Unicode general category of the running Node.js
//   (ICU), not from the frozen PRECIS derived-property tables.
// - Domain U-labels are validated with WHATWG/UTS #46 (node:url domainToASCII), which is a
//   little more permissive than IDNA2008 (it accepts some symbols such as U+2603).
import { domainToASCII, domainToUnicode } from "node:url";
import { StanzaError } from "./errors.js";

export type JidPart = "localpart" | "domainpart" | "resourcepart";

/** A malformed address; as a stanza error it is `jid-malformed` (RFC 6120 §8.3.3.8). */
export class JidError extends Error {
  readonly condition = "jid-malformed" as const;
  constructor(message: string, readonly part?: JidPart) {
    super(message);
    this.name = "JidError";
  }

  toStanzaError(): StanzaError {
    return new StanzaError("jid-malformed", this.message);
  }
}

// RFC 7622 §3.2, §3.3, §3.4: each part "MUST NOT be zero octets in length and MUST NOT be
// more than 1023 octets in length", enforced after mapping and normalisation.
const MAX_PART_OCTETS = 1023;
// A guard against normalising huge inputs. Three parts of at most 1023 octets cannot come
// from more than this many UTF-16 units, even allowing for NFC composing several into one.
const MAX_INPUT_UNITS = 16 * 1024;
// RFC 1035 §2.3.4: "labels 63 octets or less" (A-labels for internationalised names).
const MAX_LABEL_OCTETS = 63;

export class Jid {
  readonly local: string;
  readonly domain: string;
  readonly resource: string;
  // Lazily built strings; per instance, so they go away with it.
  private full: string | undefined;
  private bareString: string | undefined;

  /** Validates and normalises each part; "" means the part is absent. Throws JidError. */
  constructor(local: string, domain: string, resource = "") {
    this.local = local === "" ? "" : prepareLocalpart(local);
    this.domain = prepareDomainpart(domain);
    this.resource = resource === "" ? "" : prepareResourcepart(resource);
  }

  static parse(s: string): Jid {
    if (s.length > MAX_INPUT_UNITS) throw new JidError(`JID is longer than ${MAX_INPUT_UNITS} characters`);
    // RFC 7622 §3.1: "Remove any portion from the first '/' character to the end of the string
    // [resourcepart] ... Remove any portion from the beginning of the string to the first '@'
    // character [localpart]" — so '@' after the first '/' belongs to the resource.
    const slash = s.indexOf("/");
    const head = slash === -1 ? s : s.slice(0, slash);
    const at = head.indexOf("@");
    try {
      // RFC 7622 §3.3, §3.4: a present localpart or resourcepart must not be empty.
      if (at === 0) throw new JidError("localpart is empty", "localpart");
      if (slash !== -1 && slash === s.length - 1) throw new JidError("resourcepart is empty", "resourcepart");
      return fromPrepared(
        at === -1 ? "" : prepareLocalpart(head.slice(0, at)),
        prepareDomainpart(at === -1 ? head : head.slice(at + 1)),
        slash === -1 ? "" : prepareResourcepart(s.slice(slash + 1)),
      );
    } catch (e) {
      if (e instanceof JidError) throw new JidError(`invalid JID ${quote(s)}: ${e.message}`, e.part);
      throw e;
    }
  }

  static tryParse(s: string): Jid | null {
    try {
      return Jid.parse(s);
    } catch (e) {
      if (e instanceof JidError) return null;
      throw e;
    }
  }

  bare(): Jid {
    return this.resource === "" ? this : fromPrepared(this.local, this.domain, "");
  }

  isBare(): boolean {
    return this.resource === "";
  }

  // RFC 7622 §3.2.3, §3.3.3, §3.4.3: compare parts after preparation, code point by code point.
  equals(o: Jid): boolean {
    return this === o || (this.resource === o.resource && this.local === o.local && this.domain === o.domain);
  }

  bareEquals(o: Jid): boolean {
    return this.local === o.local && this.domain === o.domain;
  }

  withResource(r: string): Jid {
    return fromPrepared(this.local, this.domain, r === "" ? "" : prepareResourcepart(r));
  }

  toString(): string {
    return (this.full ??= this.resource === "" ? this.toBareString() : `${this.toBareString()}/${this.resource}`);
  }

  toBareString(): string {
    return (this.bareString ??= this.local === "" ? this.domain : `${this.local}@${this.domain}`);
  }

  toJSON(): string {
    return this.toString();
  }
}

/** Alias of Jid.parse. */
export function jid(s: string): Jid {
  return Jid.parse(s);
}

// Builds a Jid from parts that are already prepared, skipping validation (bare(), withResource()).
function fromPrepared(local: string, domain: string, resource: string): Jid {
  const j = Object.create(Jid.prototype) as { -readonly [K in keyof Jid]: Jid[K] };
  j.local = local;
  j.domain = domain;
  j.resource = resource;
  return j as Jid;
}

// ---------------------------------------------------------------------------------------------
// Localpart: RFC 7622 §3.3 — the UsernameCaseMapped profile of the PRECIS IdentifierClass.

// RFC 7622 §3.3.1: a localpart MUST NOT contain " & ' / : < > @ (U+0022, U+0026, U+0027,
// U+002F, U+003A, U+003C, U+003E, U+0040). IdentifierClass ASCII7 (RFC 8264 §9.11) admits only
// U+0021..U+007E, which rules out space and controls.
const LOCAL_ASCII_FORBIDDEN = asciiTable((c) => c <= 0x20 || c === 0x7f || `"&'/:<>@`.includes(String.fromCharCode(c)));

function prepareLocalpart(s: string): string {
  let upper = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return prepareLocalpartUnicode(s);
    if (LOCAL_ASCII_FORBIDDEN[c]) throw new JidError(`localpart contains forbidden character ${describe(c)}`, "localpart");
    if (c >= 0x41 && c <= 0x5a) upper = true;
  }
  checkOctets(s, s.length, "localpart");
  return upper ? s.toLowerCase() : s;
}

// RFC 8265 §3.3.2: width mapping, then case mapping (toLowerCase), then NFC; RFC 8264 §4.2:
// IdentifierClass admits LetterDigits and ASCII7 and excludes compatibility-equivalent
// characters (HasCompat), ignorables and Old Hangul Jamo.
const LETTER_DIGITS = /^[\p{Ll}\p{Lu}\p{Lo}\p{Nd}\p{Lm}\p{Mn}\p{Mc}]$/u;

function prepareLocalpartUnicode(s: string): string {
  const p = mapWidth(s).toLowerCase().normalize("NFC");
  for (const ch of p) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) {
      if (LOCAL_ASCII_FORBIDDEN[cp]) throw new JidError(`localpart contains forbidden character ${describe(cp)}`, "localpart");
    } else if (!LETTER_DIGITS.test(ch) || isIgnorableOrJamo(ch, cp) || ch.normalize("NFKC") !== ch) {
      throw new JidError(`localpart contains disallowed character ${describe(cp)} (PRECIS IdentifierClass)`, "localpart");
    }
  }
  checkOctets(p, utf8Length(p), "localpart");
  return p;
}

// ---------------------------------------------------------------------------------------------
// Resourcepart: RFC 7622 §3.4 — the OpaqueString profile of the PRECIS FreeformClass: no case
// mapping; spaces, symbols and punctuation allowed; controls and unassigned code points not.

function prepareResourcepart(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return prepareResourcepartUnicode(s);
    if (c < 0x20 || c === 0x7f) throw new JidError(`resourcepart contains control character ${describe(c)}`, "resourcepart");
  }
  checkOctets(s, s.length, "resourcepart");
  return s;
}

// RFC 8264 §4.3: FreeformClass = letters, marks, numbers, punctuation, symbols, spaces (and
// HasCompat); everything else (Cc, Cf, Cs, Co, Cn, Zl, Zp) is disallowed.
const FREEFORM = /^[\p{L}\p{M}\p{N}\p{P}\p{S}\p{Zs}]$/u;
// RFC 8265 §4.2.2: "non-ASCII space ... MUST be mapped to ASCII space (U+0020)", then NFC.
const NON_ASCII_SPACE = /(?! )\p{Zs}/gu;

function prepareResourcepartUnicode(s: string): string {
  const p = s.replace(NON_ASCII_SPACE, " ").normalize("NFC");
  for (const ch of p) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80 ? cp < 0x20 || cp === 0x7f : !FREEFORM.test(ch) || isIgnorableOrJamo(ch, cp)) {
      throw new JidError(`resourcepart contains disallowed character ${describe(cp)} (PRECIS FreeformClass)`, "resourcepart");
    }
  }
  checkOctets(p, utf8Length(p), "resourcepart");
  return p;
}

// ---------------------------------------------------------------------------------------------
// Domainpart: RFC 7622 §3.2 — "IP-literal / IPv4address / ifqdn".

// RFC 5890 §2.3.1 NR-LDH labels: letters, digits and hyphen, separated by dots.
const DOMAIN_ASCII_ALLOWED = asciiTable((c) => c === 0x2d || c === 0x2e || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a));

function prepareDomainpart(s: string): string {
  // RFC 7622 §3.2: a final label separator (dot) "MUST be stripped ... before any other
  // canonicalization steps are taken".
  const d = s.endsWith(".") ? s.slice(0, -1) : s;
  if (d === "") throw new JidError("domainpart is empty", "domainpart");
  if (d.charCodeAt(0) === 0x5b /* [ */) return prepareIpv6Literal(d);
  let upper = false;
  for (let i = 0; i < d.length; i++) {
    const c = d.charCodeAt(i);
    if (c >= 0x80) return prepareDomainpartUnicode(s);
    if (!DOMAIN_ASCII_ALLOWED[c]) throw new JidError(`domainpart contains forbidden character ${describe(c)}`, "domainpart");
    if (c <= 0x5a && c >= 0x41) upper = true;
  }
  const lower = upper ? d.toLowerCase() : d;
  const hasALabel = checkAsciiLabels(lower);
  checkOctets(lower, lower.length, "domainpart");
  // RFC 5891 §5.2: an A-label stands for its U-label; keep the Unicode form so both compare equal.
  return hasALabel ? aLabelsToUnicode(lower) : lower;
}

// RFC 7622 §3.2.2: width-map and lower-case (RFC 5895 mappings), NFC; the labels must then be
// valid U-labels (RFC 5891), checked here through their A-label (ASCII) form.
function prepareDomainpartUnicode(s: string): string {
  let d = mapWidth(s).replace(/[\u3002\uff0e\uff61]/g, ".");
  if (d.endsWith(".")) d = d.slice(0, -1);
  d = d.toLowerCase().normalize("NFC");
  if (d === "") throw new JidError("domainpart is empty", "domainpart");
  // Label by label (see aLabelsToUnicode for why not the whole name at once).
  const given = d.split(".");
  const ascii = given.map((label) => (isAscii(label) ? label : domainToASCII(label)));
  if (given.some((label, i) => label !== "" && ascii[i] === "")) throw new JidError(`domainpart ${quote(d)} is not a valid internationalized domain name`, "domainpart");
  checkAsciiLabels(ascii.join("."));
  // UTS #46 maps some characters (e.g. U+210C to "h") that IDNA2008 disallows: each label must
  // survive the round trip unchanged, except A-labels, which become their U-labels.
  const unicode = given
    .map((label, i) => {
      if (isAscii(label)) return label.startsWith("xn--") ? aLabelToUnicode(label, d) : label;
      if (domainToUnicode(ascii[i]) !== label) throw new JidError(`domainpart ${quote(d)} contains characters not allowed in U-labels`, "domainpart");
      return label;
    })
    .join(".");
  checkOctets(unicode, utf8Length(unicode), "domainpart");
  return unicode;
}

// Label by label: given the whole name, WHATWG parsing would read e.g. "xn--mnchen-3ya.0xd" as
// an IPv4 address (its last label looks like a hex number) and refuse a valid domain.
function aLabelsToUnicode(d: string): string {
  return d
    .split(".")
    .map((label) => (label.startsWith("xn--") ? aLabelToUnicode(label, d) : label))
    .join(".");
}

function aLabelToUnicode(label: string, d: string): string {
  const u = domainToUnicode(label);
  if (u === "" || domainToASCII(u) !== label) throw new JidError(`domainpart ${quote(d)} has an invalid A-label`, "domainpart");
  return u;
}

const isAscii = (s: string) => /^[\x00-\x7f]*$/.test(s);

// Labels 1..63 octets, no leading or trailing hyphen (RFC 5891 §4.2.3.1); a name whose last
// label is all digits is an IPv4 address and must be a dotted quad (RFC 3986 §3.2.2).
// One pass without split(): this runs for every ASCII domain. Returns whether an A-label occurs.
function checkAsciiLabels(d: string): boolean {
  let start = 0;
  let aLabel = false;
  for (let i = 0; i <= d.length; i++) {
    if (i < d.length && d.charCodeAt(i) !== 0x2e /* . */) continue;
    const length = i - start;
    if (length === 0) throw new JidError(`domainpart ${quote(d)} has an empty label`, "domainpart");
    if (length > MAX_LABEL_OCTETS) throw new JidError(`domainpart label ${quote(d.slice(start, start + 16) + "…")} is longer than 63 octets`, "domainpart");
    if (d.charCodeAt(start) === 0x2d || d.charCodeAt(i - 1) === 0x2d) {
      throw new JidError(`domainpart label ${quote(d.slice(start, i))} starts or ends with a hyphen`, "domainpart");
    }
    if (d.startsWith("xn--", start)) aLabel = true;
    if (i === d.length && isDigits(d.slice(start)) && !isIpv4(d.split("."))) {
      throw new JidError(`domainpart ${quote(d)} is not a valid IPv4 address`, "domainpart");
    }
    start = i + 1;
  }
  return aLabel;
}

function isIpv4(labels: string[]): boolean {
  return labels.length === 4 && labels.every((l) => isDigits(l) && l.length <= 3 && (l.length === 1 || l[0] !== "0") && Number(l) <= 255);
}

// RFC 7622 §3.2: IP-literal per RFC 3986 §3.2.2 ("[" IPv6address "]"); kept in the RFC 5952
// canonical text form (lower case, zeros compressed) so equal addresses compare equal.
function prepareIpv6Literal(d: string): string {
  if (!d.endsWith("]") || d.includes("%")) throw new JidError(`domainpart ${quote(d)} is not a valid IPv6 literal`, "domainpart");
  try {
    const host = new URL(`http://${d}/`).hostname;
    if (host.startsWith("[")) return host;
  } catch {
    // fall through to the error below
  }
  throw new JidError(`domainpart ${quote(d)} is not a valid IPv6 literal`, "domainpart");
}

// ---------------------------------------------------------------------------------------------
// Shared helpers.

function checkOctets(p: string, octets: number, part: JidPart): void {
  if (octets === 0) throw new JidError(`${part} is empty`, part);
  if (octets > MAX_PART_OCTETS) throw new JidError(`${part} is ${octets} octets long (at most ${MAX_PART_OCTETS})`, part);
}

function utf8Length(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

// RFC 8265 §3.3.2 / RFC 7622 §3.2.2: "Fullwidth and halfwidth code points MUST be mapped to
// their decomposition mappings" (the Halfwidth and Fullwidth Forms block).
function mapWidth(s: string): string {
  return s.replace(/[\uff00-\uffef]/g, (ch) => ch.normalize("NFKC"));
}

// RFC 8264 §9.13 (PrecisIgnorableProperties) and §9.12 (Old Hangul Jamo) are disallowed.
const IGNORABLE = /^\p{Default_Ignorable_Code_Point}$/u;
function isIgnorableOrJamo(ch: string, cp: number): boolean {
  return IGNORABLE.test(ch) || (cp >= 0x1100 && cp <= 0x11ff) || (cp >= 0xa960 && cp <= 0xa97f) || (cp >= 0xd7b0 && cp <= 0xd7ff);
}

function isDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return s.length > 0;
}

/** A 128-entry lookup table: 1 where `member(c)` holds. */
function asciiTable(member: (c: number) => boolean): Uint8Array {
  const t = new Uint8Array(128);
  for (let c = 0; c < 128; c++) t[c] = member(c) ? 1 : 0;
  return t;
}

function describe(cp: number): string {
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
  return cp > 0x20 && cp !== 0x7f && !(cp >= 0x80 && cp < 0xa0) ? `${JSON.stringify(String.fromCodePoint(cp))} (${hex})` : hex;
}

function quote(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);
}
