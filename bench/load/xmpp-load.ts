// XMPP load generator over raw sockets, for any server on 127.0.0.1. Prints one JSON line per result.
//   node --import tsx bench/load/xmpp-load.ts MODE [options]
// Modes: login | idle | messages | presence (see the mode-*.ts files and docs/benchmarks.md).
import { parseArgs } from "node:util";
import type { Mechanism } from "./xmpp-conn.js";
import type { LoadOptions } from "./load-kit.js";
import { loginMode } from "./mode-login.js";
import { idleMode } from "./mode-idle.js";
import { messagesMode } from "./mode-messages.js";
import { presenceMode } from "./mode-presence.js";

const USAGE = `usage: xmpp-load.ts MODE [options]
modes:
  login     logins/s (connect, stream, [STARTTLS], SASL, restart, bind, close); --count logins
  idle      --count bound sessions held open; server RSS growth per session (--pid required)
  messages  --count pairs, --window messages in flight per pair, for --duration s
  presence  --count users with --contacts mutual subscriptions, --updates presences each, --rounds
options (defaults):
  --host 127.0.0.1 --port 5222 --domain localhost --prefix user --password pw
  --count N  --users N (accounts prefix1..prefixN; default max(count, what the mode needs))
  --concurrency 50 --mechanism SCRAM-SHA-1 (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) --tls
  --pid P --warmup 1000 (login) --duration 10 --window 20 --contacts 20 --updates 5 --rounds 5 --presence --hold 0
  --label NAME (copied into the result lines) --max-seconds 600 (hard stop)`;

const MECHANISMS: readonly Mechanism[] = ["PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-256", "SCRAM-SHA-512"];
const MODES = { login: loginMode, idle: idleMode, messages: messagesMode, presence: presenceMode } as const;
const DEFAULT_COUNT = { login: 2000, idle: 1000, messages: 50, presence: 100 } as const;

function parse(argv: string[]): { mode: keyof typeof MODES; opts: LoadOptions; maxSeconds: number } {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: "5222" },
      domain: { type: "string", default: "localhost" },
      prefix: { type: "string", default: "user" },
      password: { type: "string", default: "pw" },
      count: { type: "string" },
      users: { type: "string" },
      concurrency: { type: "string", default: "50" },
      mechanism: { type: "string", default: "SCRAM-SHA-1" },
      tls: { type: "boolean", default: false },
      pid: { type: "string" },
      duration: { type: "string", default: "10" },
      warmup: { type: "string", default: "1000" },
      window: { type: "string", default: "20" },
      contacts: { type: "string", default: "20" },
      updates: { type: "string", default: "5" },
      rounds: { type: "string", default: "5" },
      presence: { type: "boolean", default: false },
      hold: { type: "string", default: "0" },
      label: { type: "string", default: "" },
      "max-seconds": { type: "string", default: "600" },
      help: { type: "boolean", short: "h" },
    },
  });
  const mode = positionals[0] as keyof typeof MODES;
  if (values.help || !(mode in MODES)) throw new UsageError(USAGE);
  // Only loopback: this tool opens thousands of connections and must not be pointed at others' servers.
  if (values.host !== "127.0.0.1" && values.host !== "::1" && values.host !== "localhost") throw new UsageError("only 127.0.0.1 / ::1 targets are allowed");
  if (!MECHANISMS.includes(values.mechanism as Mechanism)) throw new UsageError(`--mechanism is one of ${MECHANISMS.join(", ")}`);
  const int = (name: string, v: string | undefined, min = 0) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}`);
    return n;
  };
  const count = int("count", values.count ?? String(DEFAULT_COUNT[mode]), 1);
  const needed = mode === "messages" ? count * 2 : count;
  return {
    mode,
    maxSeconds: int("max-seconds", values["max-seconds"], 1),
    opts: {
      host: values.host,
      port: int("port", values.port, 1),
      domain: values.domain,
      prefix: values.prefix,
      password: values.password,
      count,
      users: values.users ? int("users", values.users, 1) : needed,
      concurrency: int("concurrency", values.concurrency, 1),
      mechanism: values.mechanism as Mechanism,
      tls: values.tls,
      pid: values.pid ? int("pid", values.pid, 1) : undefined,
      durationS: int("duration", values.duration, 1),
      warmup: int("warmup", values.warmup),
      window: int("window", values.window, 2),
      contacts: int("contacts", values.contacts, 2),
      updates: int("updates", values.updates, 1),
      rounds: int("rounds", values.rounds, 1),
      presence: values.presence,
      holdS: int("hold", values.hold),
      label: values.label,
    },
  };
}

class UsageError extends Error {}

try {
  const { mode, opts, maxSeconds } = parse(process.argv.slice(2));
  // A hard bound on the run, whatever a server does.
  setTimeout(() => {
    console.error(`xmpp-load: ${mode} did not finish within ${maxSeconds} s`);
    process.exit(3);
  }, maxSeconds * 1000).unref();
  await MODES[mode](opts);
  process.exit(0);
} catch (err) {
  console.error(err instanceof UsageError ? err.message : `xmpp-load: ${(err as Error).stack}`);
  process.exit(2);
}
