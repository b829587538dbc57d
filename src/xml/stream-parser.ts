import type { Element } from "ltx";
import { StreamError } from "../errors.js";
import type { StreamHeader } from "./stream-header.js";
import { Tokenizer } from "./tokenizer.js";
import { StreamTreeBuilder, type StreamLimits } from "./tree-builder.js";
import { ChunkDecoder } from "./utf8.js";

export type { StreamHeader } from "./stream-header.js";

export interface StreamParserHandlers {
  onStreamStart(header: StreamHeader): void;
  /** Each top-level child of `<stream:stream>`, detached, with its namespace set explicitly. */
  onStanza(el: Element): void;
  /** `</stream:stream>`; input after it is ignored until `reset()`. */
  onStreamEnd(): void;
  /** Called once; after it the parser ignores further input until `reset()`. */
  onError(err: StreamError): void;
}

export interface StreamParserOptions {
  /** Largest top-level element (or stream header), in UTF-8 bytes. Default 262144. */
  maxStanzaBytes?: number;
  /** Deepest element nesting inside a stanza (the stanza itself is depth 1). Default 64. */
  maxDepth?: number;
  /** Accepted default namespaces of the stream header. Default jabber:client, jabber:server. */
  contentNamespaces?: readonly string[];
}

// One limits object per options object: thousands of connections share the server's.
const resolved = new WeakMap<StreamParserOptions, StreamLimits>();
function resolveLimits(options: StreamParserOptions): StreamLimits {
  let limits = resolved.get(options);
  if (!limits) {
    limits = {
      maxStanzaBytes: options.maxStanzaBytes ?? 262144,
      maxDepth: options.maxDepth ?? 64,
      contentNamespaces: options.contentNamespaces ?? ["jabber:client", "jabber:server"],
    };
    resolved.set(options, limits);
  }
  return limits;
}

/**
 * Incremental parser for one direction of an XMPP stream (RFC 6120 §4). Feed it socket chunks;
 * it reports the header, each stanza, the close, or the first error — never by throwing.
 */
export class StreamParser {
  private readonly limits: StreamLimits;
  private decoder!: ChunkDecoder;
  private tokenizer!: Tokenizer;
  private builder!: StreamTreeBuilder;
  private failed = false;
  private ended = false;

  constructor(private readonly handlers: StreamParserHandlers, options: StreamParserOptions = {}) {
    this.limits = resolveLimits(options);
    this.reset();
  }

  write(chunk: Buffer | string): void {
    if (this.failed || this.ended || this.builder.closed) return;
    const tokenizer = this.tokenizer;
    try {
      const before = this.decoder.bytes;
      const text = this.decoder.decode(chunk);
      tokenizer.feed(text, this.decoder.ascii, this.decoder.bytes - before);
      if (!tokenizer.stopped) this.builder.checkIncomplete();
    } catch (err) {
      // A reset() from inside a callback that then threw: the error belongs to the old stream.
      if (tokenizer === this.tokenizer) this.fail(err);
    }
  }

  /**
   * Starts over for a new stream (RFC 6120 §5.4.3.3 after STARTTLS, §6.4.6 after SASL): the
   * next input must be a new header. Called from a callback, it also drops the rest of the
   * chunk being parsed — bytes sent before the TLS handshake must not leak into the new stream.
   */
  reset(): void {
    if (this.tokenizer) this.tokenizer.stopped = true;
    this.decoder = new ChunkDecoder();
    this.builder = new StreamTreeBuilder(this.handlers, this.limits);
    this.tokenizer = new Tokenizer(this.builder);
    this.builder.tokenizer = this.tokenizer;
    this.failed = false;
    this.ended = false;
  }

  /** The transport closed: drop any partial input and ignore further writes. */
  end(): void {
    this.ended = true;
    this.tokenizer.stopped = true;
  }

  private fail(err: unknown): void {
    this.failed = true;
    this.tokenizer.stopped = true;
    const streamError = err instanceof StreamError
      ? err
      : Object.assign(new StreamError("internal-server-error", String((err as Error)?.message ?? err)), { cause: err });
    this.handlers.onError(streamError);
  }
}
