// The server configuration: one zod schema, every key defaulted and described, so that
// `{}` is a complete configuration and docs/configuration.md is generated from this file.
import { z } from "zod";
import { Jid } from "../jid.js";

// RFC 7622 §3.2: a served domain is a JID domainpart; keep its prepared (lower-cased,
// NFC, trailing-dot-free) form so it compares equal to the domains in stanzas.
function preparedDomain(d: string): string | null {
  const j = Jid.tryParse(d);
  return j !== null && j.local === "" && j.isBare() ? j.domain : null;
}

const xmppDomain = z
  .string()
  .refine((d) => preparedDomain(d) !== null, { message: "not a valid XMPP domain (RFC 7622 §3.2)" })
  .overwrite((d) => preparedDomain(d) ?? d);

const port = z.number().int().min(0).max(65535);
const count = z.number().int().min(0);
const positive = z.number().int().min(1);

// A nested section: unknown keys are errors, and a missing section gets its fields' defaults
// (prefault parses `{}` through the object, where a plain default would skip it). Every field
// has a default, so `{}` is a valid input; the cast says so where the generic type cannot.
function section<T extends z.core.$ZodLooseShape>(shape: T, description: string) {
  const object = z.strictObject(shape);
  return object.prefault({} as z.input<typeof object>).describe(description);
}

function listener(defaultPort: number, what: string) {
  return section(
    {
      enabled: z.boolean().default(true).describe(`Accept ${what} connections.`),
      host: z.string().min(1).default("0.0.0.0").describe("Address to listen on (\"::\" for all IPv6 and IPv4 addresses)."),
      port: port.default(defaultPort).describe("TCP port; 0 picks a free port (useful in tests)."),
    },
    `Listener for ${what} connections.`,
  );
}

// RFC 6120 §6 / RFC 7677: mechanisms the server offers, strongest first.
export const SASL_MECHANISMS = ["SCRAM-SHA-512", "SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"] as const;

export const configSchema = z.strictObject({
  domain: xmppDomain.default("localhost").describe("The XMPP domain this server serves."),
  domains: z.array(xmppDomain).default([]).describe("Further domains (virtual hosts) served besides `domain`."),
  data_dir: z.string().min(1).default("./data").describe("Directory for the SQLite database and the generated self-signed certificate."),
  listeners: section(
    {
      c2s: listener(5222, "client-to-server (RFC 6120, STARTTLS)"),
      c2s_tls: listener(5223, "client-to-server direct TLS (XEP-0368)"),
    },
    "Network listeners.",
  ),
  tls: z
    .strictObject({
      cert: z.string().min(1).nullable().default(null).describe("PEM certificate chain file; null generates a self-signed certificate in `data_dir`."),
      key: z.string().min(1).nullable().default(null).describe("PEM private key file for `tls.cert`."),
    })
    .refine((t) => (t.cert === null) === (t.key === null), { message: "must be set together with tls.cert", path: ["key"] })
    .prefault({})
    .describe("TLS certificate and key."),
  require_encryption: z.boolean().default(true).describe("Refuse SASL and stanzas on c2s streams until TLS is negotiated (RFC 6120 §5.3.1)."),
  allow_plaintext_loopback: z.boolean().default(false).describe("Allow unencrypted authentication from 127.0.0.1 and ::1 even when `require_encryption` is true."),
  workers: section(
    {
      size: positive.default(2).describe("Number of worker threads for blocking jobs (storage, password hashing)."),
      job_timeout_ms: positive.default(10000).describe("A job running longer fails its chain and its worker is replaced."),
    },
    "Worker-thread pool.",
  ),
  limits: section(
    {
      max_stanza_bytes: positive.default(262144).describe("Largest stanza accepted; larger ones close the stream with policy-violation."),
      max_xml_depth: positive.default(64).describe("Deepest element nesting accepted in a stanza."),
      stream_open_timeout_ms: positive.default(30000).describe("Time allowed between connecting and opening the stream."),
      auth_timeout_ms: positive.default(30000).describe("Time allowed from connecting to completing authentication."),
      idle_timeout_ms: count.default(0).describe("Close streams idle this long; 0 disables."),
      max_auth_failures: positive.default(3).describe("Failed SASL attempts before the stream is closed."),
      auth_failures_per_ip: positive.default(20).describe("Failed SASL attempts from one IP address within `auth_failure_window_s` before further attempts fail at once (temporary-auth-failure)."),
      auth_failures_per_account: positive.default(10).describe("Failed SASL attempts for one account within `auth_failure_window_s` before further attempts fail at once."),
      auth_failure_window_s: positive.default(300).describe("Window for the failed-attempt counters, restarted by each failure."),
      max_connections: positive.default(10000).describe("Open client connections accepted in total."),
      max_connections_per_ip: positive.default(100).describe("Open client connections accepted from one IP address."),
      max_bytes_per_second: count.default(0).describe("Inbound bytes per second per connection before reading pauses; 0 disables."),
      max_roster_items: positive.default(1000).describe("Items one roster may hold; a roster set adding more is refused with not-allowed (RFC 6121 §2.3.3)."),
      max_offline_messages: positive.default(1000).describe("Offline messages kept per account; beyond it senders get service-unavailable (XEP-0160 §4)."),
      max_outbound_buffer_bytes: positive.default(1048576).describe("Unsent bytes queued to a slow client before its stream is closed."),
    },
    "Resource limits (protection against misbehaving clients).",
  ),
  sasl: section(
    {
      mechanisms: z
        .array(z.enum(SASL_MECHANISMS))
        .min(1)
        .refine((ms) => new Set(ms).size === ms.length, { message: "mechanisms must not repeat" })
        .default([...SASL_MECHANISMS])
        .describe("SASL mechanisms offered, in order of preference."),
      scram_iterations: positive.default(4096).describe("PBKDF2 iteration count for new SCRAM credentials (RFC 7677 §4 asks for at least 4096)."),
    },
    "Authentication (RFC 6120 §6).",
  ),
  bind: section(
    {
      on_conflict: z.enum(["replace", "refuse"]).default("replace").describe("A bind to a resource already in use: disconnect the old session or refuse the new one (RFC 6120 §7.7.2.2)."),
    },
    "Resource binding (RFC 6120 §7).",
  ),
  log: section(
    {
      level: z.enum(["debug", "info", "warn", "error"]).default("info").describe("Least severe level written."),
      format: z.enum(["text", "json"]).default("text").describe("Human-readable lines or one JSON object per line."),
    },
    "Logging.",
  ),
  modules: section(
    {
      disabled: z.array(z.string().min(1)).default([]).describe("Names of modules to leave out."),
    },
    "Feature modules.",
  ),
  registration: section(
    {
      enabled: z.boolean().default(false).describe("Allow in-band account registration (XEP-0077)."),
    },
    "In-band registration.",
  ),
});

export type Config = z.infer<typeof configSchema>;
/** What a configuration file or override may contain: every key optional. */
export type ConfigInput = z.input<typeof configSchema>;
