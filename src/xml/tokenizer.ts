import { StreamError } from "../errors.js";
import { ILLEGAL_CHAR, isNameChar, isNameStart, isSpace } from "./chars.js";
import { decodeReferences, MAX_REFERENCE_LENGTH } from "./entities.js";

/**
 * Why not ltx's SaxLtx: it silently skips comments, processing instructions and DOCTYPE, accepts
 * mismatched end tags, duplicate or unquoted attributes and `<` in attribute values, throws (instead
 * of reporting) on unknown entities, and decodes each Buffer with `toString()`, splitting multi-byte
 * UTF-8 characters at chunk boundaries. RFC 6120 §11.1 asks for `restricted-xml` on exactly the
 * constructs it skips, and a scanner beside it would read every byte twice. So this is a strict
 * tokenizer on the same design: indexOf jumps to the next `<`, and an incomplete construct at the
 * end of a chunk is carried over to the next one. (Measured on bench/parser.bench.ts: ltx's Parser
 * ~25 MB/s, this tokenizer plus tree building ~190 MB/s.)
 */

/** Set in `startTag` flags when a name carries a prefix that must be resolved (not xml:/xmlns:). */
export const PREFIXED = 1;

export interface TokenHandler {
  /** `start`/`end`: indexes of `<` and just past `>` in the current chunk (see `Tokenizer.offsetAt`). */
  startTag(name: string, attrs: Record<string, string>, selfClosing: boolean, flags: number, start: number, end: number): void;
  /** `end` is the index just past `>`. */
  endTag(name: string, end: number): void;
  /** Character data, references decoded and line ends normalized; may arrive in pieces. */
  text(text: string): void;
  /** `<?xml ...?>` pseudo-attributes. */
  xmlDeclaration(attrs: Record<string, string>): void;
}

const CDATA_OPEN = "<![CDATA[";
const DECL_ATTR = /\s+([a-zA-Z]+)\s*=\s*(?:'([^']*)'|"([^"]*)")/y;

function notWellFormed(why: string): StreamError {
  return new StreamError("not-well-formed", why);
}

export class Tokenizer {
  /** Set to abandon the chunk being tokenized (error or stream reset inside a callback). */
  stopped = false;
  /** UTF-8 bytes fed so far. */
  totalBytes = 0;

  private carry = "";
  private carryAscii = true;
  private carryHasCR = false;
  private carryOffset = 0;
  private inCdata = false;

  // State of the chunk being tokenized.
  private data = "";
  private ascii = true;
  private hasCR = false;
  private base = 0;
  private cachedIndex = 0;
  private cachedBytes = 0;
  private incompleteAt = -1;

  constructor(private readonly handler: TokenHandler) {}

  /** Byte offset in the stream where the carried-over, incomplete construct starts, or -1. */
  get pendingOffset(): number {
    return this.carry.length > 0 ? this.carryOffset : -1;
  }

  /** Absolute byte offset in the stream of `index` in the chunk being tokenized. */
  offsetAt(index: number): number {
    if (this.ascii) return this.base + index;
    if (index < this.cachedIndex) this.cachedIndex = this.cachedBytes = 0;
    this.cachedBytes += Buffer.byteLength(this.data.slice(this.cachedIndex, index));
    this.cachedIndex = index;
    return this.base + this.cachedBytes;
  }

  /** Tokenizes decoded text; `ascii` and `bytes` describe `text` as it came off the wire. */
  feed(text: string, ascii: boolean, bytes: number): void {
    if (ILLEGAL_CHAR.test(text)) throw notWellFormed("illegal character");
    const carried = this.carry.length > 0;
    const data = carried ? this.carry + text : text;
    this.base = carried ? this.carryOffset : this.totalBytes;
    this.totalBytes += bytes;
    this.data = data;
    this.ascii = carried ? this.carryAscii && ascii : ascii;
    this.hasCR = (carried && this.carryHasCR) || text.indexOf("\r") !== -1;
    this.cachedIndex = this.cachedBytes = 0;
    this.carry = "";

    const pos = this.run(data);
    if (!this.stopped && pos < data.length) {
      this.carry = data.slice(pos);
      this.carryAscii = this.ascii;
      this.carryHasCR = this.hasCR;
      this.carryOffset = this.offsetAt(pos);
    }
    this.data = ""; // an idle stream must not hold on to its last chunk
  }

  /** Returns the index where unconsumed (incomplete) input starts. */
  private run(data: string): number {
    const len = data.length;
    let pos = 0;
    while (pos < len) {
      if (this.inCdata) {
        pos = this.cdata(pos);
      } else {
        const lt = data.indexOf("<", pos);
        if (lt === -1) return this.trailingText(pos);
        if (lt > pos) this.emitText(data.slice(pos, lt));
        if (this.stopped) return len;
        pos = this.markup(lt);
      }
      if (this.stopped) return len;
      if (this.incompleteAt >= 0) {
        const at = this.incompleteAt;
        this.incompleteAt = -1;
        return at;
      }
    }
    return pos;
  }

  private incomplete(at: number): number {
    this.incompleteAt = at;
    return at;
  }

  private emitText(raw: string): void {
    // XML 1.0 §2.4: "]]>" must not appear in content.
    if (raw.indexOf("]]>") !== -1) throw notWellFormed("']]>' in text");
    let text = this.hasCR ? normalizeLineEnds(raw) : raw;
    if (text.indexOf("&") !== -1) text = decodeReferences(text);
    this.handler.text(text);
  }

  /** Text up to the end of the chunk: emit it, but keep what the next chunk may complete. */
  private trailingText(pos: number): number {
    const data = this.data;
    const len = data.length;
    let cut = len;
    const amp = data.lastIndexOf("&");
    if (amp >= pos && data.indexOf(";", amp) === -1) {
      if (len - amp > MAX_REFERENCE_LENGTH) throw notWellFormed("unterminated reference");
      cut = amp;
    } else {
      // A trailing CR may be the first half of CRLF, and "]]" the start of a forbidden "]]>".
      while (cut > pos && cut > len - 2) {
        const c = data.charCodeAt(cut - 1);
        if (c !== 93 && c !== 13) break;
        cut--;
      }
    }
    if (cut > pos) this.emitText(data.slice(pos, cut));
    return cut;
  }

  // XML 1.0 §2.7: CDATA sections are passed as text, without reference decoding.
  private cdata(pos: number): number {
    const data = this.data;
    const end = data.indexOf("]]>", pos);
    if (end === -1) {
      let cut = data.length - 2;
      if (cut > pos && data.charCodeAt(cut - 1) === 13) cut--;
      if (cut > pos) this.emitCdata(data.slice(pos, cut));
      return this.incomplete(Math.max(pos, cut));
    }
    if (end > pos) this.emitCdata(data.slice(pos, end));
    this.inCdata = false;
    return end + 3;
  }

  private emitCdata(raw: string): void {
    this.handler.text(this.hasCR ? normalizeLineEnds(raw) : raw);
  }

  private markup(lt: number): number {
    const data = this.data;
    if (lt + 1 >= data.length) return this.incomplete(lt);
    const c = data.charCodeAt(lt + 1);
    if (c === 47 /* / */) return this.endTag(lt);
    if (c === 33 /* ! */) return this.bang(lt);
    if (c === 63 /* ? */) return this.processingInstruction(lt);
    return this.startTag(lt);
  }

  private endTag(lt: number): number {
    const data = this.data;
    const gt = data.indexOf(">", lt + 2);
    if (gt === -1) return this.incomplete(lt);
    let e = gt;
    while (e > lt + 2 && isSpace(data.charCodeAt(e - 1))) e--;
    // The handler compares with the open element's (validated) name, so no name check here.
    this.handler.endTag(data.slice(lt + 2, e), gt + 1);
    return gt + 1;
  }

  private bang(lt: number): number {
    const data = this.data;
    if (data.startsWith(CDATA_OPEN, lt)) {
      this.inCdata = true;
      return lt + CDATA_OPEN.length;
    }
    if (data.length - lt < CDATA_OPEN.length && CDATA_OPEN.startsWith(data.slice(lt))) {
      return this.incomplete(lt);
    }
    // RFC 6120 §11.1: "An XMPP entity MUST NOT ... generate ... comments, ... document type
    // declarations, internal or external entity references" → restricted-xml.
    const c = data.charCodeAt(lt + 2);
    if (c === 45 /* - */ || (c >= 65 && c <= 90)) {
      throw new StreamError("restricted-xml", c === 45 ? "comment" : "markup declaration");
    }
    throw notWellFormed("'<!' not followed by CDATA");
  }

  private processingInstruction(lt: number): number {
    const data = this.data;
    const len = data.length;
    let p = lt + 2;
    while (p < len && isNameChar(data.charCodeAt(p))) p++;
    if (p >= len) return this.incomplete(lt);
    const target = data.slice(lt + 2, p);
    if (target.length === 0 || !isNameStart(target.charCodeAt(0))) throw notWellFormed("bad processing instruction");
    // RFC 6120 §11.1: processing instructions are restricted; the handler decides whether an
    // `<?xml ...?>` is the allowed leading declaration (§11.5).
    if (target !== "xml") throw new StreamError("restricted-xml", "processing instruction");
    const end = data.indexOf("?>", p);
    if (end === -1) return this.incomplete(lt);
    const body = data.slice(p, end);
    const attrs: Record<string, string> = {};
    let parsedTo = 0;
    let m: RegExpExecArray | null;
    DECL_ATTR.lastIndex = 0;
    while ((m = DECL_ATTR.exec(body)) !== null) {
      attrs[m[1]!] = m[2] ?? m[3]!;
      parsedTo = DECL_ATTR.lastIndex;
    }
    if (!/^\s*$/.test(body.slice(parsedTo))) throw notWellFormed("bad XML declaration");
    this.handler.xmlDeclaration(attrs);
    return end + 2;
  }

  private startTag(lt: number): number {
    const data = this.data;
    const len = data.length;
    let p = lt + 1;
    let c = data.charCodeAt(p);
    if (!isNameStart(c)) throw notWellFormed("bad element name");
    let flags = 0;
    for (p++; p < len; p++) {
      c = data.charCodeAt(p);
      if (c < 128 ? !isNameChar(c) : c === 0xd7 || c === 0xf7) break;
      if (c === 58 /* : */) flags = PREFIXED;
    }
    if (p >= len) return this.incomplete(lt);
    const name = data.slice(lt + 1, p);
    const attrs: Record<string, string> = {};
    for (;;) {
      // Between attributes: S, then a name, '>' or '/>'.
      const before = p;
      while (p < len && isSpace((c = data.charCodeAt(p)))) p++;
      if (p >= len) return this.incomplete(lt);
      if (c === 62 /* > */) {
        this.handler.startTag(name, attrs, false, flags, lt, p + 1);
        return p + 1;
      }
      if (c === 47 /* / */) {
        if (p + 1 >= len) return this.incomplete(lt);
        if (data.charCodeAt(p + 1) !== 62) throw notWellFormed("'/' not followed by '>'");
        this.handler.startTag(name, attrs, true, flags, lt, p + 2);
        return p + 2;
      }
      if (p === before) throw notWellFormed("missing whitespace before attribute");
      if (!isNameStart(c)) throw notWellFormed("bad attribute name");
      const nameStart = p;
      let colon = -1;
      for (p++; p < len; p++) {
        c = data.charCodeAt(p);
        if (c < 128 ? !isNameChar(c) : c === 0xd7 || c === 0xf7) break;
        if (c === 58) colon = colon === -1 ? p - nameStart : -2;
      }
      const nameEnd = p;
      while (p < len && isSpace((c = data.charCodeAt(p)))) p++;
      if (p >= len) return this.incomplete(lt);
      if (c !== 61 /* = */) throw notWellFormed("attribute without '='");
      const attrName = data.slice(nameStart, nameEnd);
      for (p++; p < len && isSpace((c = data.charCodeAt(p))); p++);
      if (p >= len) return this.incomplete(lt);
      if (c !== 34 && c !== 39) throw notWellFormed("unquoted attribute value");
      const quote = c;
      const valueStart = ++p;
      let special = 0;
      for (; p < len; p++) {
        c = data.charCodeAt(p);
        if (c === quote) break;
        if (c <= 60) {
          if (c === 60) throw notWellFormed("'<' in attribute value");
          if (c === 38 || c < 32) special = 1;
        }
      }
      if (p >= len) return this.incomplete(lt);
      let value = data.slice(valueStart, p);
      p++;
      if (special) value = attributeValue(value);
      if (colon !== -1) flags |= this.prefixedAttribute(attrName, colon, value);
      if (attrs[attrName] !== undefined && Object.hasOwn(attrs, attrName)) {
        throw notWellFormed(`duplicate attribute ${attrName}`);
      }
      if (attrName === "__proto__") Object.defineProperty(attrs, attrName, { value, enumerable: true, writable: true, configurable: true });
      else attrs[attrName] = value;
    }
  }

  /** Namespaces in XML §3: QName syntax; xml: and xmlns: need no lookup (xmlns:p="" is illegal). */
  private prefixedAttribute(name: string, colon: number, value: string): number {
    if (colon < 1 || colon === name.length - 1) throw notWellFormed(`bad qualified name ${name}`);
    if (colon === 5 && name.startsWith("xmlns")) {
      if (value === "") throw notWellFormed(`empty namespace for ${name}`);
      return 0;
    }
    if (colon === 3 && name.startsWith("xml")) return 0;
    return PREFIXED;
  }
}

// XML 1.0 §2.11: CRLF and lone CR become LF.
function normalizeLineEnds(s: string): string {
  return s.indexOf("\r") === -1 ? s : s.replace(/\r\n?/g, "\n");
}

// XML 1.0 §3.3.3: literal TAB/LF/CR (CRLF counting once) become spaces, then references decode.
function attributeValue(raw: string): string {
  const spaced = /[\t\n\r]/.test(raw) ? raw.replace(/\r\n|[\t\n\r]/g, " ") : raw;
  return spaced.indexOf("&") === -1 ? spaced : decodeReferences(spaced);
}
