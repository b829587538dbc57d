// Strict base64 for SASL payloads: Node's decoder silently skips garbage, SASL must not.

// RFC 4648 §4 alphabet with padding; RFC 4648 §3.3: reject characters outside the alphabet.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes canonical base64, or returns null (non-alphabet characters, bad padding, non-zero pad bits). */
export function decodeBase64(text: string): Buffer | null {
  if (!BASE64.test(text)) return null;
  const bytes = Buffer.from(text, "base64");
  // RFC 4648 §3.5: unused pad bits must be zero; a round trip catches them.
  return bytes.toString("base64") === text ? bytes : null;
}

/**
 * Decodes the character data of `<auth/>`, `<response/>`. RFC 6120 §6.4.2: "a single equals sign
 * character ("=") … indicates that the response is present but contains no data".
 */
export function decodeSaslPayload(text: string): Buffer | null {
  return text === "=" ? Buffer.alloc(0) : decodeBase64(text);
}

/** Character data for `<challenge/>` / `<success/>`: empty data stays an empty element (RFC 6120 §6.4.3, §6.4.6). */
export function encodeSaslPayload(data: Buffer | undefined): string {
  return data && data.length > 0 ? data.toString("base64") : "";
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** UTF-8 text of `bytes`, or null when they are not well-formed UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}
