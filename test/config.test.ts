import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { ConfigError, configDocs, configSchema, defaultConfig, loadConfig, parseConfig } from "../src/config/index.js";

function issuesOf(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues;
  }
  throw new Error("expected a ConfigError");
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tjabberd-config-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("defaults", () => {
  test("an empty configuration is complete", () => {
    const c = defaultConfig();
    expect(c.domain).toBe("localhost");
    expect(c.domains).toEqual([]);
    expect(c.data_dir).toBe("./data");
    expect(c.listeners.c2s).toEqual({ enabled: true, host: "0.0.0.0", port: 5222 });
    expect(c.listeners.c2s_tls).toEqual({ enabled: true, host: "0.0.0.0", port: 5223 });
    expect(c.tls).toEqual({ cert: null, key: null });
    expect(c.require_encryption).toBe(true);
    expect(c.allow_plaintext_loopback).toBe(false);
    expect(c.workers).toEqual({ size: 2, job_timeout_ms: 10000 });
    expect(c.limits.max_stanza_bytes).toBe(262144);
    expect(c.limits.idle_timeout_ms).toBe(0);
    expect(c.limits.max_outbound_buffer_bytes).toBe(1048576);
    expect(c.sasl.mechanisms).toEqual(["SCRAM-SHA-512", "SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"]);
    expect(c.sasl.scram_iterations).toBe(4096);
    expect(c.bind.on_conflict).toBe("replace");
    expect(c.log).toEqual({ level: "info", format: "text" });
    expect(c.modules.disabled).toEqual([]);
    expect(c.registration.enabled).toBe(false);
  });

  test("parseConfig(undefined), parseConfig({}) and loadConfig() agree", () => {
    expect(parseConfig(undefined)).toEqual(defaultConfig());
    expect(parseConfig({})).toEqual(defaultConfig());
    expect(loadConfig()).toEqual(defaultConfig());
  });

  test("defaults are fresh objects (mutating one config does not touch the next)", () => {
    const a = defaultConfig();
    a.sasl.mechanisms.push("PLAIN");
    a.domains.push("x.example");
    expect(defaultConfig().sasl.mechanisms).toHaveLength(4);
    expect(defaultConfig().domains).toEqual([]);
  });

  test("every key has a default and a description", () => {
    const walk = (s: { properties?: Record<string, object> }, path: string): void => {
      for (const [k, v] of Object.entries(s.properties ?? {})) {
        const prop = v as { description?: string; default?: unknown; properties?: Record<string, object> };
        expect([`${path}${k}`, typeof prop.description]).toEqual([`${path}${k}`, "string"]);
        expect([`${path}${k}`, "default" in prop]).toEqual([`${path}${k}`, true]);
        walk(prop, `${path}${k}.`);
      }
    };
    walk(z.toJSONSchema(configSchema, { io: "input" }) as never, "");
  });
});

describe("overrides", () => {
  test("nested values override, siblings keep their defaults", () => {
    const c = parseConfig({ listeners: { c2s: { port: 0 } }, limits: { max_stanza_bytes: 65536 } });
    expect(c.listeners.c2s).toEqual({ enabled: true, host: "0.0.0.0", port: 0 });
    expect(c.listeners.c2s_tls.port).toBe(5223);
    expect(c.limits.max_stanza_bytes).toBe(65536);
    expect(c.limits.max_xml_depth).toBe(64);
  });

  test("domains are prepared like JID domainparts", () => {
    const c = parseConfig({ domain: "Example.COM.", domains: ["MÜNCHEN.de", "xn--mnchen-3ya.example"] });
    expect(c.domain).toBe("example.com");
    expect(c.domains).toEqual(["münchen.de", "münchen.example"]);
  });

  test("loadConfig merges overrides over the file, objects key by key, arrays replaced", () => {
    const path = file("merge.yaml", "domain: file.example\nlisteners:\n  c2s:\n    host: 127.0.0.1\n    port: 6222\nsasl:\n  mechanisms: [PLAIN]\n");
    const c = loadConfig(path, { listeners: { c2s: { port: 0 } }, sasl: { mechanisms: ["SCRAM-SHA-256"] } });
    expect(c.domain).toBe("file.example");
    expect(c.listeners.c2s).toEqual({ enabled: true, host: "127.0.0.1", port: 0 });
    expect(c.sasl.mechanisms).toEqual(["SCRAM-SHA-256"]);
  });

  test("overrides without a file", () => {
    expect(loadConfig(undefined, { log: { level: "debug" } }).log).toEqual({ level: "debug", format: "text" });
  });

  test("tls cert and key together", () => {
    expect(parseConfig({ tls: { cert: "c.pem", key: "k.pem" } }).tls).toEqual({ cert: "c.pem", key: "k.pem" });
  });
});

describe("error messages: <key path>: <problem>", () => {
  test("wrong type, with the received value as JSON", () => {
    expect(issuesOf(() => parseConfig({ listeners: { c2s: { port: "abc" } } }))).toEqual(['listeners.c2s.port: expected number, got "abc"']);
    expect(issuesOf(() => parseConfig({ require_encryption: "yes" }))).toEqual(['require_encryption: expected boolean, got "yes"']);
    expect(issuesOf(() => parseConfig({ limits: null }))).toEqual(["limits: expected object, got null"]);
  });

  test("unknown keys, at any depth", () => {
    expect(issuesOf(() => parseConfig({ listeners: { c2s: { prot: 5222 } } }))).toEqual(["listeners.c2s.prot: unknown key"]);
    expect(issuesOf(() => parseConfig({ domian: "x", logs: {} }))).toEqual(["domian: unknown key", "logs: unknown key"]);
  });

  test("enumerations", () => {
    expect(issuesOf(() => parseConfig({ log: { level: "verbose" } }))).toEqual(['log.level: expected one of "debug" | "info" | "warn" | "error", got "verbose"']);
    expect(issuesOf(() => parseConfig({ sasl: { mechanisms: ["PLAIN", "CRAM-MD5"] } }))).toEqual([
      'sasl.mechanisms[1]: expected one of "SCRAM-SHA-512" | "SCRAM-SHA-256" | "SCRAM-SHA-1" | "PLAIN", got "CRAM-MD5"',
    ]);
  });

  test("ranges and integers", () => {
    expect(issuesOf(() => parseConfig({ listeners: { c2s_tls: { port: 70000 } } }))).toEqual(["listeners.c2s_tls.port: expected a number <= 65535, got 70000"]);
    expect(issuesOf(() => parseConfig({ workers: { size: 0 } }))).toEqual(["workers.size: expected a number >= 1, got 0"]);
    expect(issuesOf(() => parseConfig({ workers: { size: 1.5 } }))).toEqual(["workers.size: expected integer, got 1.5"]);
    expect(issuesOf(() => parseConfig({ sasl: { mechanisms: [] } }))).toEqual(["sasl.mechanisms: expected at least 1 item(s), got []"]);
    expect(issuesOf(() => parseConfig({ data_dir: "" }))).toEqual(['data_dir: expected at least 1 character(s), got ""']);
  });

  test("checks across values", () => {
    expect(issuesOf(() => parseConfig({ domain: "not a domain" }))).toEqual(['domain: not a valid XMPP domain (RFC 7622 §3.2), got "not a domain"']);
    expect(issuesOf(() => parseConfig({ domains: ["ok.example", "user@host"] }))).toEqual(['domains[1]: not a valid XMPP domain (RFC 7622 §3.2), got "user@host"']);
    expect(issuesOf(() => parseConfig({ tls: { cert: "c.pem" } }))).toEqual(["tls.key: must be set together with tls.cert"]);
    expect(issuesOf(() => parseConfig({ sasl: { mechanisms: ["PLAIN", "PLAIN"] } }))).toEqual(["sasl.mechanisms: mechanisms must not repeat"]);
  });

  test("a non-object configuration", () => {
    expect(issuesOf(() => parseConfig([1, 2]))).toEqual(["(root): expected object, got [1,2]"]);
  });

  test("all problems are reported at once, and the message lists them", () => {
    let error: ConfigError | undefined;
    try {
      parseConfig({ listeners: { c2s: { port: "abc", prot: 1 } }, log: { format: "xml" } });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error?.issues).toHaveLength(3);
    for (const issue of error!.issues) expect(error!.message).toContain(issue);
  });

  test("long received values are shortened", () => {
    const [issue] = issuesOf(() => parseConfig({ data_dir: ["x".repeat(200)] }));
    expect(issue!.length).toBeLessThan(120);
    expect(issue).toMatch(/^data_dir: expected string, got \["x+…$/);
  });
});

describe("files", () => {
  test("YAML (.yaml and .yml)", () => {
    const yaml = "domain: chat.example\nlisteners:\n  c2s:\n    port: 15222\nlog:\n  format: json\n";
    for (const name of ["server.yaml", "server.yml"]) {
      const c = loadConfig(file(name, yaml));
      expect(c.domain).toBe("chat.example");
      expect(c.listeners.c2s.port).toBe(15222);
      expect(c.log.format).toBe("json");
      expect(c.limits.max_xml_depth).toBe(64);
    }
  });

  test("JSON", () => {
    const c = loadConfig(file("server.json", JSON.stringify({ domain: "json.example", workers: { size: 4 } })));
    expect(c.domain).toBe("json.example");
    expect(c.workers).toEqual({ size: 4, job_timeout_ms: 10000 });
  });

  test("an empty YAML file gives the defaults", () => {
    expect(loadConfig(file("empty.yaml", ""))).toEqual(defaultConfig());
  });

  test("a YAML syntax error names file:line", () => {
    const path = file("broken.yaml", "domain: x\nlisteners:\n  c2s: {port: 1\n  c2s_tls: {}\n");
    const [issue] = issuesOf(() => loadConfig(path));
    expect(issue).toMatch(new RegExp(`^${escape(path)}:\\d+:\\d+: `));
    const dup = file("dup.yaml", "domain: a\nlog: {}\ndomain: b\n");
    expect(issuesOf(() => loadConfig(dup))).toEqual([`${dup}:3:1: Map keys must be unique`]);
  });

  test("a JSON syntax error names file:line:column", () => {
    const path = file("broken.json", '{\n  "domain": "x",\n  "log": { "level": }\n}\n');
    expect(issuesOf(() => loadConfig(path))).toEqual([`${path}:3:21: Unexpected token '}'`]);
    const trailing = file("trailing.json", '{"domain": "x",}');
    expect(issuesOf(() => loadConfig(trailing))).toEqual([`${trailing}:1:16: Expected double-quoted property name`]);
  });

  test("invalid values in a file: the message names the file, the issues the keys", () => {
    const path = file("bad-values.yaml", "listeners:\n  c2s:\n    prot: 5222\n");
    try {
      loadConfig(path);
      throw new Error("expected a ConfigError");
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).file).toBe(path);
      expect((e as ConfigError).message).toContain(path);
      expect((e as ConfigError).issues).toEqual(["listeners.c2s.prot: unknown key"]);
    }
  });

  test("a missing file", () => {
    const path = join(dir, "nope.yaml");
    expect(issuesOf(() => loadConfig(path))).toEqual([`${path}: cannot read (ENOENT)`]);
  });
});

describe("docs", () => {
  test("docs/configuration.md is what configDocs() generates", () => {
    const onDisk = readFileSync(new URL("../docs/configuration.md", import.meta.url), "utf8");
    expect(onDisk).toBe(configDocs());
  });

  test("the table has a row per key with its default", () => {
    const docs = configDocs();
    expect(docs).toContain("| `listeners.c2s.port` | integer 0–65535 | `5222` |");
    expect(docs).toContain('| `bind.on_conflict` | "replace" \\| "refuse" | `"replace"` |');
    expect(docs).toContain("| `tls.cert` | non-empty string \\| null | `null` |");
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
