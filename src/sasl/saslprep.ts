// SASLprep (RFC 4013), approximated: the mapping (§2.1), NFKC (§2.2) and the prohibited output
// (§2.3) are applied; the bidirectional check (§2.4) and the "unassigned code point" table are not.
// Enough to make e.g. "I\u00ADX" and "\u2168" (Roman numeral nine) log in as "IX", and to refuse
// control characters; strings that differ only in those skipped rules are compared as given.

// RFC 3454 B.1: "commonly mapped to nothing".
const MAPPED_TO_NOTHING = /[\u00AD\u034F\u1806\u180B-\u180D\u200B-\u200D\u2060\uFE00-\uFE0F\uFEFF]/gu;
// RFC 3454 C.1.2: non-ASCII space characters, mapped to SPACE (RFC 4013 §2.1).
const NON_ASCII_SPACE = /[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/gu;
// RFC 4013 §2.3 prohibited output: controls (C.2), private use (C.3), non-characters (C.4),
// surrogates (C.5), inappropriate for plain text / canonical representation (C.6, C.7),
// change display properties (C.8), tagging characters (C.9).
const PROHIBITED = new RegExp(
  "[\\p{Cc}\\p{Co}\\p{Cs}" +
    "\\u06DD\\u070F\\u180E\\u200C-\\u200F\\u2028-\\u202E\\u2060-\\u2063\\u206A-\\u206F" +
    "\\uFDD0-\\uFDEF\\uFFF9-\\uFFFF\\u2FF0-\\u2FFB\\u0340\\u0341" +
    "\\u{1D173}-\\u{1D17A}\\u{E0001}\\u{E0020}-\\u{E007F}" +
    "\\u{1FFFE}\\u{1FFFF}\\u{2FFFE}\\u{2FFFF}\\u{3FFFE}\\u{3FFFF}\\u{4FFFE}\\u{4FFFF}\\u{5FFFE}\\u{5FFFF}" +
    "\\u{6FFFE}\\u{6FFFF}\\u{7FFFE}\\u{7FFFF}\\u{8FFFE}\\u{8FFFF}\\u{9FFFE}\\u{9FFFF}\\u{AFFFE}\\u{AFFFF}" +
    "\\u{BFFFE}\\u{BFFFF}\\u{CFFFE}\\u{CFFFF}\\u{DFFFE}\\u{DFFFF}\\u{EFFFE}\\u{EFFFF}\\u{FFFFE}\\u{FFFFF}" +
    "\\u{10FFFE}\\u{10FFFF}]",
  "u",
);

/** The prepared string, or null when it contains prohibited output. */
export function saslprep(input: string): string | null {
  const prepared = input.replace(MAPPED_TO_NOTHING, "").replace(NON_ASCII_SPACE, " ").normalize("NFKC");
  return PROHIBITED.test(prepared) ? null : prepared;
}
