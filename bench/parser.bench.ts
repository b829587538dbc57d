// Stream parser throughput: a 10 MB stream of ~250-byte <message> stanzas fed in 4 KiB Buffer
// chunks, as a socket would deliver them. Prints one JSON line and one human line.
import { StreamParser, streamHeader, STREAM_CLOSE } from "../src/xml/index.js";
import { median } from "./stats.js";

const TARGET_BYTES = 10 * 1024 * 1024;
const CHUNK_BYTES = 4096;
const RUNS = 7;
const STANZA_BYTES = 250;
const FILLER = "Wherefore art thou, Romeo? Deny thy father and refuse thy name; or if thou wilt not, " +
  "be but sworn my love, and I'll no longer be a Capulet. 'Tis but thy name that is my enemy.";

function message(i: number): string {
  const head = `<message to='juliet@capulet.lit/balcony' id='m${i.toString(36).padStart(8, "0")}' type='chat'><body>`;
  const tail = "</body></message>";
  const body = FILLER.slice(0, STANZA_BYTES - head.length - tail.length - 4) + "&amp;";
  return head + body + tail;
}

function buildStream(): { chunks: Buffer[]; bytes: number; stanzas: number } {
  const parts = [streamHeader({ to: "capulet.lit", version: "1.0" })];
  let size = parts[0]!.length;
  let stanzas = 0;
  while (size < TARGET_BYTES) {
    const m = message(stanzas++);
    parts.push(m);
    size += m.length;
  }
  parts.push(STREAM_CLOSE);
  const all = Buffer.from(parts.join(""));
  const chunks: Buffer[] = [];
  for (let i = 0; i < all.length; i += CHUNK_BYTES) chunks.push(all.subarray(i, i + CHUNK_BYTES));
  return { chunks, bytes: all.length, stanzas };
}

function run(chunks: Buffer[]): { ms: number; stanzas: number } {
  let stanzas = 0;
  let failure: unknown = null;
  const parser = new StreamParser({
    onStreamStart() {},
    onStanza() { stanzas++; },
    onStreamEnd() {},
    onError(err) { failure = err; },
  });
  const start = process.hrtime.bigint();
  for (const chunk of chunks) parser.write(chunk);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (failure) throw failure;
  return { ms, stanzas };
}

const { chunks, bytes, stanzas } = buildStream();
const times: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const r = run(chunks);
  if (r.stanzas !== stanzas) throw new Error(`parsed ${r.stanzas} of ${stanzas} stanzas`);
  if (i > 0) times.push(r.ms); // the first run warms up the JIT
}
const ms = median(times);
const mbPerSec = bytes / 1e6 / (ms / 1000);
console.log(JSON.stringify({ name: "parser", mbPerSec: Number(mbPerSec.toFixed(1)) }));
console.log(`parser: ${(bytes / 1e6).toFixed(1)} MB, ${stanzas} stanzas in ${CHUNK_BYTES}-byte chunks: ` +
  `${mbPerSec.toFixed(1)} MB/s, ${(stanzas / (ms / 1000) / 1e3).toFixed(0)}k stanzas/s (median of ${times.length})`);
