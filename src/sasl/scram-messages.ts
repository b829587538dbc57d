// Parsing of the client's SCRAM messages (RFC 5802 §7). Returns a failure condition instead of
// throwing, so the mechanism can turn it into a <failure/> directly.
import { decodeBase64 } from "./base64.js";
import type { SaslFailureCondition } from "./types.js";

export type ParseFailure = { error: SaslFailureCondition; text: string };

export interface ClientFirst {
  /** gs2-header as sent ("n,," / "y,,a=…,"), echoed back base64 in the client-final `c=`. */
  gs2Header: string;
  authzid?: string;
  username: string;
  clientNonce: string;
  /** client-first-message-bare, the first part of AuthMessage. */
  bare: string;
}

export interface ClientFinal {
  channelBinding: Buffer;
  nonce: string;
  proof: Buffer;
  /** client-final-message-without-proof, the last part of AuthMessage. */
  withoutProof: string;
}

const fail = (error: SaslFailureCondition, text: string): ParseFailure => ({ error, text });
export const isParseFailure = (x: object): x is ParseFailure => "error" in x;

// RFC 5802 §7: printable = %x21-2B / %x2D-7E (printable ASCII except ",").
const PRINTABLE = /^[\x21-\x2B\x2D-\x7E]+$/;
// attr-val = ALPHA "=" value
const ATTRIBUTE = /^([A-Za-z])=(.*)$/s;

/**
 * RFC 5802 §5.1: in saslname, "," and "=" are sent as "=2C" and "=3D"; "If the server receives a
 * username that contains '=' not followed by either '2C' or '3D', then the server MUST fail".
 */
export function decodeSaslname(value: string): string | null {
  if (/=(?!2C|3D)/.test(value)) return null;
  return value.replace(/=2C/g, ",").replace(/=3D/g, "=");
}

export function encodeSaslname(value: string): string {
  return value.replace(/=/g, "=3D").replace(/,/g, "=2C");
}

function attributes(fields: string[]): { name: string; value: string }[] | null {
  const out = [];
  for (const field of fields) {
    const m = ATTRIBUTE.exec(field);
    if (!m) return null;
    out.push({ name: m[1]!, value: m[2]! });
  }
  return out;
}

// client-first-message = gs2-header client-first-message-bare
// gs2-header = gs2-cbind-flag "," [ authzid ] ","
// client-first-message-bare = [reserved-mext ","] username "," nonce ["," extensions]
export function parseClientFirst(message: string): ClientFirst | ParseFailure {
  const fields = message.split(",");
  if (fields.length < 4) return fail("malformed-request", "client-first-message is too short");
  const [cbindFlag, authzField, ...bareFields] = fields as [string, string, ...string[]];

  // RFC 5802 §6: "p" means the client requires channel binding, which only the -PLUS variants
  // offer; we offer none. "y" (client could, but thinks we can't) is right and accepted.
  if (cbindFlag.startsWith("p=")) return fail("malformed-request", "channel binding is not supported");
  if (cbindFlag !== "n" && cbindFlag !== "y") return fail("malformed-request", "bad gs2-cbind-flag");

  let authzid: string | undefined;
  if (authzField !== "") {
    if (!authzField.startsWith("a=")) return fail("malformed-request", "bad authzid field");
    const decoded = decodeSaslname(authzField.slice(2));
    if (!decoded) return fail("malformed-request", "bad authzid encoding");
    authzid = decoded;
  }

  const attrs = attributes(bareFields);
  if (!attrs) return fail("malformed-request", "bad attribute in client-first-message");
  // RFC 5802 §5.1 m: "its presence in a client or a server message MUST cause authentication failure".
  if (attrs[0]!.name === "m") return fail("malformed-request", "mandatory extensions are not supported");
  const [user, nonce] = attrs as [{ name: string; value: string }, { name: string; value: string }];
  if (user.name !== "n") return fail("malformed-request", "username attribute expected");
  if (nonce.name !== "r") return fail("malformed-request", "nonce attribute expected");
  const username = decodeSaslname(user.value);
  if (!username) return fail("malformed-request", "bad username encoding");
  if (!PRINTABLE.test(nonce.value)) return fail("malformed-request", "bad nonce");
  // Further attributes are extensions, which a server ignores when it doesn't know them.

  const gs2Header = `${cbindFlag},${authzField},`;
  return {
    gs2Header,
    ...(authzid === undefined ? {} : { authzid }),
    username,
    clientNonce: nonce.value,
    bare: message.slice(gs2Header.length),
  };
}

// client-final-message-without-proof = channel-binding "," nonce ["," extensions]
// client-final-message = client-final-message-without-proof "," proof
export function parseClientFinal(message: string): ClientFinal | ParseFailure {
  const fields = message.split(",");
  const attrs = attributes(fields);
  if (!attrs || attrs.length < 3) return fail("malformed-request", "bad client-final-message");
  const cb = attrs[0]!;
  const nonce = attrs[1]!;
  const proof = attrs[attrs.length - 1]!;
  if (cb.name !== "c" || nonce.name !== "r" || proof.name !== "p") {
    return fail("malformed-request", "client-final-message needs c=, r=, …, p=");
  }
  const channelBinding = decodeBase64(cb.value);
  const proofBytes = decodeBase64(proof.value);
  if (!channelBinding || !proofBytes) return fail("incorrect-encoding", "bad base64 in client-final-message");
  return {
    channelBinding,
    nonce: nonce.value,
    proof: proofBytes,
    withoutProof: message.slice(0, message.length - fields[fields.length - 1]!.length - 1),
  };
}
