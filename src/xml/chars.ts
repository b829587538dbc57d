// Character classes for the strict tokenizer (XML 1.0 §2.2, §2.3), as lookup tables so the
// hot loops do one array read per character.

/** XML 1.0 §2.3 NameStartChar, ASCII part: [A-Z] | "_" | [a-z] | ":" (non-ASCII is accepted). */
export const NAME_START = new Uint8Array(128);
/** XML 1.0 §2.3 NameChar, ASCII part: NameStartChar | "-" | "." | [0-9]. */
export const NAME_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 58;
  NAME_START[c] = letter ? 1 : 0;
  NAME_CHAR[c] = letter || (c >= 48 && c <= 57) || c === 45 || c === 46 ? 1 : 0;
}

// Non-ASCII name characters are accepted wholesale: XML's exact ranges exclude only a few symbols
// (×, ÷, punctuation blocks), and checking them per character would cost more than it protects.
export function isNameStart(c: number): boolean {
  return c < 128 ? NAME_START[c] === 1 : c !== 0xd7 && c !== 0xf7;
}
export function isNameChar(c: number): boolean {
  return c < 128 ? NAME_CHAR[c] === 1 : c !== 0xd7 && c !== 0xf7;
}

/** XML 1.0 §2.3 S: space, tab, CR, LF. */
export function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13;
}

/** True if the whole string is XML whitespace. */
export function isAllSpace(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isSpace(s.charCodeAt(i))) return false;
  return true;
}

// XML 1.0 §2.2 Char excludes C0 controls other than TAB/LF/CR, and U+FFFE/U+FFFF; one regex
// pass per chunk (native, ~750 MB/s here) checks every character of the document at once.
export const ILLEGAL_CHAR = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;

/** XML 1.0 §2.2: is the code point allowed as a character (used for character references)? */
export function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}
