// Test helper: runs a StreamParser over input and records everything it reports.
import type { Element } from "ltx";
import type { StreamError } from "../../src/errors.js";
import { StreamParser, type StreamHeader, type StreamParserOptions } from "../../src/xml/index.js";

export const NS_STREAM = "http://etherx.jabber.org/streams";
export const HEADER =
  "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='example.com' version='1.0'>";

export interface Collected {
  headers: StreamHeader[];
  stanzas: Element[];
  ends: number;
  errors: StreamError[];
  parser: StreamParser;
}

export function collector(options?: StreamParserOptions): Collected {
  const got: Omit<Collected, "parser"> = { headers: [], stanzas: [], ends: 0, errors: [] };
  const parser = new StreamParser({
    onStreamStart: (h) => got.headers.push(h),
    onStanza: (el) => got.stanzas.push(el),
    onStreamEnd: () => got.ends++,
    onError: (e) => got.errors.push(e),
  }, options);
  return Object.assign(got, { parser });
}

/** Feeds `chunks` in order (strings as given, or as UTF-8 Buffers if `asBuffers`). */
export function parseChunks(chunks: Array<string | Buffer>, options?: StreamParserOptions): Collected {
  const c = collector(options);
  for (const chunk of chunks) c.parser.write(chunk);
  return c;
}

export function parse(input: string | Buffer, options?: StreamParserOptions): Collected {
  return parseChunks([input], options);
}

/** The single error condition reported for `input`, or "none". Fails on more than one error. */
export function conditionOf(input: string | Buffer | Array<string | Buffer>, options?: StreamParserOptions): string {
  const c = Array.isArray(input) ? parseChunks(input, options) : parse(input, options);
  if (c.errors.length > 1) throw new Error(`onError called ${c.errors.length} times`);
  return c.errors[0]?.condition ?? "none";
}

/** Splits a Buffer into pieces at the given byte offsets. */
export function splitAt(buf: Buffer, ...offsets: number[]): Buffer[] {
  const pieces: Buffer[] = [];
  let from = 0;
  for (const at of offsets) {
    pieces.push(buf.subarray(from, at));
    from = at;
  }
  pieces.push(buf.subarray(from));
  return pieces;
}
