import { Element } from "ltx";
import { NS_STREAM, StreamError } from "../errors.js";
import { isAllSpace } from "./chars.js";
import { checkStreamHeader, type StreamHeader, type StreamScope } from "./stream-header.js";
import type { TokenHandler, Tokenizer } from "./tokenizer.js";

export interface StreamEvents {
  onStreamStart(header: StreamHeader): void;
  onStanza(el: Element): void;
  onStreamEnd(): void;
}

export interface StreamLimits {
  maxStanzaBytes: number;
  maxDepth: number;
  contentNamespaces: readonly string[];
}

/** checkStreamHeader admits no other name for the stream element. */
const STREAM_NAME = "stream:stream";
const PROLOG = 0;
const OPEN = 1;
const CLOSED = 2;

/**
 * Turns tokens into the stream's events: the header, one ltx Element per top-level child, the
 * close. Enforces the structure of an XMPP stream and the size/depth limits.
 */
export class StreamTreeBuilder implements TokenHandler {
  tokenizer!: Tokenizer;
  private phase = PROLOG;
  private sawDeclaration = false;
  private atStart = true;
  private scope: StreamScope | null = null;
  /** Innermost open element of the stanza being built; null between stanzas. */
  private current: Element | null = null;
  private stanza: Element | null = null;
  private depth = 0;
  private stanzaStart = 0;

  constructor(private readonly events: StreamEvents, private readonly limits: StreamLimits) {}

  get closed(): boolean {
    return this.phase === CLOSED;
  }

  startTag(name: string, attrs: Record<string, string>, selfClosing: boolean, flags: number, start: number, end: number): void {
    if (this.phase !== OPEN) return this.streamStart(name, attrs, selfClosing, start, end);
    const depth = this.depth + 1;
    // RFC 6120 §4.9.3.14 policy-violation: the entity "has violated some local service policy".
    if (depth > this.limits.maxDepth) throw new StreamError("policy-violation", `nesting deeper than ${this.limits.maxDepth}`);
    const el = new Element(name);
    el.attrs = attrs;
    const parent = this.current;
    if (parent === null) {
      this.stanzaStart = this.tokenizer.offsetAt(start);
      this.stanza = el;
      // Delivered standalone, the stanza carries the stream's default namespace itself.
      if (attrs.xmlns === undefined) attrs.xmlns = this.scope!.defaultNs;
    } else {
      parent.children.push(el);
      el.parent = parent;
    }
    if (flags !== 0) this.resolvePrefixes(el, attrs);
    if (!selfClosing) {
      this.current = el;
      this.depth = depth;
    } else if (parent === null) {
      this.finishStanza(el, end);
    }
  }

  endTag(name: string, end: number): void {
    const el = this.current;
    if (el === null) {
      if (this.phase !== OPEN || name !== STREAM_NAME) throw new StreamError("not-well-formed", `unexpected </${name}>`);
      return this.streamEnd();
    }
    if (el.name !== name) throw new StreamError("not-well-formed", `</${name}> closes <${el.name}>`);
    this.current = el.parent as Element | null;
    if (--this.depth === 0) this.finishStanza(el, end);
  }

  text(text: string): void {
    const el = this.current;
    if (el === null) {
      // XML 1.0 §4.3.3: a UTF-8 byte order mark may start the entity.
      if (this.atStart && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      this.atStart = false;
      // RFC 6120 §4.7.5: the stream element has no character data; whitespace keepalives are fine.
      if (!isAllSpace(text)) throw new StreamError("not-well-formed", "text outside of a stanza");
      return;
    }
    const children = el.children;
    const last = children.length - 1;
    if (last >= 0 && typeof children[last] === "string") children[last] += text;
    else children.push(text);
  }

  // RFC 6120 §11.5: an XML declaration may precede the stream header; anywhere else it is a
  // processing instruction (§11.1 → restricted-xml). Whitespace before it is tolerated (a
  // keepalive sent across a stream restart), although XML 1.0 §2.8 wants it first.
  xmlDeclaration(attrs: Record<string, string>): void {
    if (this.phase !== PROLOG || this.sawDeclaration) throw new StreamError("restricted-xml", "processing instruction");
    this.sawDeclaration = true;
    this.atStart = false;
    if (attrs.version === undefined || !/^1\.[0-9]+$/.test(attrs.version)) {
      throw new StreamError("not-well-formed", "bad XML declaration version");
    }
    // RFC 6120 §11.6: "... MUST NOT use any other encoding" than UTF-8 → unsupported-encoding.
    if (attrs.encoding !== undefined && attrs.encoding.toLowerCase() !== "utf-8") {
      throw new StreamError("unsupported-encoding", `encoding ${attrs.encoding}`);
    }
  }

  /** Called after each chunk: an unfinished stanza (or header) is measured as its bytes arrive. */
  checkIncomplete(): void {
    const pending = this.tokenizer.pendingOffset;
    const start = this.current !== null ? this.stanzaStart : pending;
    if (start >= 0 && this.tokenizer.totalBytes - start > this.limits.maxStanzaBytes) this.tooLarge();
  }

  private streamStart(name: string, attrs: Record<string, string>, selfClosing: boolean, start: number, end: number): void {
    this.atStart = false;
    const startOffset = this.tokenizer.offsetAt(start);
    if (this.tokenizer.offsetAt(end) - startOffset > this.limits.maxStanzaBytes) this.tooLarge();
    this.scope = checkStreamHeader(name, attrs, this.limits.contentNamespaces);
    this.phase = OPEN;
    this.events.onStreamStart({ name, attrs });
    if (selfClosing && this.phase === OPEN) this.streamEnd();
  }

  private streamEnd(): void {
    this.phase = CLOSED;
    this.tokenizer.stopped = true; // input after the close is ignored until reset()
    this.events.onStreamEnd();
  }

  private finishStanza(el: Element, end: number): void {
    if (this.tokenizer.offsetAt(end) - this.stanzaStart > this.limits.maxStanzaBytes) this.tooLarge();
    this.stanza = null;
    this.events.onStanza(el);
  }

  private tooLarge(): never {
    throw new StreamError("policy-violation", `stanza larger than ${this.limits.maxStanzaBytes} bytes`);
  }

  /**
   * Namespaces in XML §5: every prefix must be declared on the element or an ancestor. A prefix
   * declared on the stream header (stream:, db:) is copied onto the stanza so `getNS()` still
   * resolves once the stanza is detached from the stream.
   */
  private resolvePrefixes(el: Element, attrs: Record<string, string>): void {
    const name = el.name;
    const colon = name.indexOf(":");
    if (colon !== -1) {
      if (colon === 0 || colon === name.length - 1 || name.indexOf(":", colon + 1) !== -1) {
        throw new StreamError("not-well-formed", `bad qualified name ${name}`);
      }
      this.requirePrefix(el, name.slice(0, colon));
    }
    for (const key of Object.keys(attrs)) {
      const c = key.indexOf(":");
      if (c !== -1) this.requirePrefix(el, key.slice(0, c));
    }
  }

  private requirePrefix(el: Element, prefix: string): void {
    if (prefix === "xml") return;
    if (prefix === "xmlns") {
      if (el.name.startsWith("xmlns:")) throw new StreamError("not-well-formed", "the xmlns prefix names no element");
      return;
    }
    const decl = `xmlns:${prefix}`;
    for (let e: Element | null = el; e !== null; e = e.parent as Element | null) {
      if (e.attrs[decl] !== undefined) return;
    }
    const ns = prefix === "stream" ? NS_STREAM : this.scope!.prefixes?.get(prefix);
    if (ns === undefined) throw new StreamError("not-well-formed", `undeclared prefix ${prefix}`);
    this.stanza!.attrs[decl] = ns;
  }
}
