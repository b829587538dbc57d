import { isAscii, isUtf8 } from "node:buffer";
import { StreamError } from "../errors.js";

/**
 * Turns socket chunks into strings. A multi-byte UTF-8 sequence (or, for string input, a
 * surrogate pair) split across chunks is held back until its rest arrives.
 * RFC 6120 §11.6: XMPP streams are UTF-8; invalid bytes make the stream `not-well-formed`.
 */
export class ChunkDecoder {
  private pendingBytes: Buffer | null = null;
  private pendingText = "";
  /** Whether the last decoded string was pure ASCII (one byte per character). */
  ascii = true;
  /** UTF-8 bytes decoded so far (excludes held-back bytes). */
  bytes = 0;

  decode(chunk: Buffer | string): string {
    return typeof chunk === "string" ? this.decodeString(chunk) : this.decodeBuffer(chunk);
  }

  private decodeBuffer(chunk: Buffer): string {
    let buf = chunk;
    if (this.pendingBytes) {
      buf = Buffer.concat([this.pendingBytes, chunk]);
      this.pendingBytes = null;
    }
    const end = completeLength(buf);
    if (end < buf.length) this.pendingBytes = Buffer.from(buf.subarray(end));
    const whole = end === buf.length ? buf : buf.subarray(0, end);
    this.bytes += end;
    if (isAscii(whole)) {
      this.ascii = true;
      return whole.toString("latin1");
    }
    if (!isUtf8(whole)) throw new StreamError("not-well-formed", "invalid UTF-8");
    this.ascii = false;
    return whole.toString("utf8");
  }

  private decodeString(chunk: string): string {
    let s = this.pendingText + chunk;
    this.pendingText = "";
    const last = s.charCodeAt(s.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      this.pendingText = s.slice(-1);
      s = s.slice(0, -1);
    }
    if (!(s as WellFormedString).isWellFormed()) {
      throw new StreamError("not-well-formed", "unpaired surrogate");
    }
    const byteLength = Buffer.byteLength(s);
    this.bytes += byteLength;
    this.ascii = byteLength === s.length;
    return s;
  }
}

// ES2024 String#isWellFormed (Node 20); the project's lib setting is ES2022.
type WellFormedString = string & { isWellFormed(): boolean };

/** Length of the prefix of `buf` that ends on a UTF-8 sequence boundary. */
function completeLength(buf: Buffer): number {
  const len = buf.length;
  let i = len - 1;
  // Walk back over at most 3 continuation bytes to the lead byte of the last sequence.
  while (i >= 0 && i > len - 4 && (buf[i]! & 0xc0) === 0x80) i--;
  if (i < 0) return len;
  const lead = buf[i]!;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return len - i < need ? i : len;
}
