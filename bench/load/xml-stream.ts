// Client-side XML stream reader for the load generator: ltx's SAX tokenizer, depth tracking, and
// one ltx Element per top-level child of <stream:stream>. Independent of the server's own parser,
// so a parser bug on one side doesn't hide on the other.
import { Element } from "ltx";
import SaxLtx from "ltx/src/parsers/ltx.js";

interface Sax {
  write(data: string): void;
  on(event: "startElement", fn: (name: string, attrs: Record<string, string>) => void): void;
  on(event: "endElement", fn: (name: string) => void): void;
  on(event: "text", fn: (text: string) => void): void;
}

export interface StreamEvents {
  /** <stream:stream ...> opened (also after each stream restart). */
  onStreamOpen(attrs: Record<string, string>): void;
  /** A complete top-level element (stanza, features, SASL and TLS elements). */
  onElement(el: Element): void;
  /** </stream:stream> from the peer. */
  onStreamClose(): void;
}

/**
 * RFC 6120 §4.2: a stream header opens a new stream; after a restart the peer sends a fresh header,
 * so any stream header resets the depth, whatever came before.
 */
export function createStreamReader(events: StreamEvents): { write(data: string): void } {
  const sax = new (SaxLtx as unknown as new () => Sax)();
  let depth = 0;
  let current: Element | null = null;
  sax.on("startElement", (name, attrs) => {
    if (name === "stream:stream" || name === "stream") {
      depth = 1;
      current = null;
      events.onStreamOpen(attrs);
      return;
    }
    depth++;
    const el = new Element(name, attrs);
    if (current) current = current.cnode(el);
    else current = el;
  });
  sax.on("endElement", (name) => {
    if (depth === 1 && (name === "stream:stream" || name === "stream")) {
      depth = 0;
      events.onStreamClose();
      return;
    }
    depth--;
    if (!current) return;
    if (depth === 1) {
      const done = current;
      current = null;
      events.onElement(done);
    } else {
      current = current.parent as Element;
    }
  });
  sax.on("text", (text) => {
    if (current) current.t(text);
  });
  return { write: (data) => sax.write(data) };
}
