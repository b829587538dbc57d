// The same stream cut anywhere must give the same result: tags, references, CDATA delimiters,
// CRLF pairs and multi-byte UTF-8 characters all straddle chunk boundaries.
import fc from "fast-check";
import { NS_STREAM, parseChunks, splitAt, type Collected } from "./collect.js";

const SAMPLE = Buffer.from(
  "<?xml version='1.0' encoding='UTF-8'?>\n" +
  `<stream:stream xmlns='jabber:client' xmlns:stream='${NS_STREAM}' to='example.com' version='1.0'>\n` +
  "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features> \n" +
  "<message to='romé@example.com' id=\"a&amp;b\" type='chat'><body>Grüße ☺ 𝄞 &lt;tag&gt; &#x1D11E;\r\nline]]</body>" +
  "<x xmlns:p='urn:p'><p:y p:z='&apos;v&apos;'/></x><c><![CDATA[<raw> ]] ]]]>\r\n</c></message>\r\n" +
  "<iq type='get' id='1'><query xmlns='jabber:iq:roster'/></iq>" +
  "</stream:stream>",
  "utf8",
);

/** Everything observable, as plain data. */
function summary(c: Collected): unknown {
  return {
    headers: c.headers,
    stanzas: c.stanzas.map((s) => s.toString()),
    ends: c.ends,
    errors: c.errors.map((e) => e.condition),
  };
}

const whole = summary(parseChunks([SAMPLE]));

describe("chunk boundaries", () => {
  test("the sample parses cleanly as one chunk", () => {
    expect(whole).toMatchObject({ ends: 1, errors: [] });
    expect((whole as { stanzas: string[] }).stanzas).toHaveLength(3);
    expect((whole as { stanzas: string[] }).stanzas[1]).toContain("Grüße ☺ 𝄞 &lt;tag&gt; 𝄞\nline]]");
  });

  test("split at every byte offset (inside UTF-8 sequences too) gives the same result", () => {
    for (let at = 1; at < SAMPLE.length; at++) {
      expect({ at, ...(summary(parseChunks(splitAt(SAMPLE, at))) as object) }).toEqual({ at, ...(whole as object) });
    }
  });

  test("one byte per chunk gives the same result", () => {
    const bytes = Array.from({ length: SAMPLE.length }, (_, i) => SAMPLE.subarray(i, i + 1));
    expect(summary(parseChunks(bytes))).toEqual(whole);
  });

  test("a 4-byte character split 1+3, 2+2 and 3+1 is decoded once", () => {
    const clef = Buffer.from("𝄞");
    const start = SAMPLE.indexOf(clef);
    for (let k = 1; k < 4; k++) {
      expect(summary(parseChunks(splitAt(SAMPLE, start + k)))).toEqual(whole);
    }
  });

  test("string chunks split at every UTF-16 offset (surrogate pairs too) give the same result", () => {
    const text = SAMPLE.toString("utf8");
    for (let at = 1; at < text.length; at++) {
      expect({ at, ...(summary(parseChunks([text.slice(0, at), text.slice(at)])) as object) })
        .toEqual({ at, ...(whole as object) });
    }
  });

  test("random chunkings give the same result", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: SAMPLE.length - 1 }), { maxLength: 12 }), (cuts) => {
        const offsets = [...cuts].sort((a, b) => a - b);
        expect(summary(parseChunks(splitAt(SAMPLE, ...offsets)))).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });
});
