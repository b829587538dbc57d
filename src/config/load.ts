// Reading and validating the configuration: files (YAML or JSON), overrides, and error
// messages that name the key path and the problem ("listeners.c2s.port: expected number, got \"abc\"").
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { parse as parseYaml, YAMLParseError } from "yaml";
import type { z } from "zod";
import { configSchema, type Config } from "./schema.js";

export class ConfigError extends Error {
  constructor(
    /** One line per problem, each starting with the key path (or the file) it is about. */
    readonly issues: string[],
    readonly file?: string,
  ) {
    super(`invalid configuration${file ? ` in ${file}` : ""}:\n${issues.map((i) => `  - ${i}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Validates a configuration object, filling in defaults; `undefined` gives the defaults. */
export function parseConfig(raw: unknown): Config {
  const result = configSchema.safeParse(raw === undefined ? {} : raw, { reportInput: true });
  if (!result.success) throw new ConfigError(result.error.issues.flatMap(formatIssue));
  return result.data;
}

export function defaultConfig(): Config {
  return parseConfig({});
}

/**
 * Reads `file` (`.json` as JSON, anything else as YAML), merges `overrides` over it (objects
 * merge key by key, other values replace) and validates the result. No file: defaults.
 */
export function loadConfig(file?: string, overrides?: unknown): Config {
  const fromFile = file === undefined ? {} : readConfigFile(file);
  const raw = overrides === undefined ? fromFile : merge(fromFile, overrides);
  try {
    return parseConfig(raw);
  } catch (e) {
    if (e instanceof ConfigError && file !== undefined) throw new ConfigError(e.issues, file);
    throw e;
  }
}

function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError([`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`], file);
  }
  return extname(file).toLowerCase() === ".json" ? parseJson(file, text) : parseYamlFile(file, text);
}

function parseYamlFile(file: string, text: string): unknown {
  try {
    // An empty file is an empty configuration.
    return parseYaml(text) ?? {};
  } catch (e) {
    if (!(e instanceof YAMLParseError)) throw e;
    const at = e.linePos?.[0];
    const where = at ? `${file}:${at.line}:${at.col}` : file;
    // The message's first line is the reason; the rest is a code excerpt.
    throw new ConfigError([`${where}: ${e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:$/, "")}`], file);
  }
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const { line, col } = lineAndColumn(text, jsonErrorOffset(text));
    // Drop V8's position and quoted excerpt: line and column replace them.
    const reason = (e as Error).message.replace(/( in JSON)? at position \d+.*$/s, "").replace(/, (?:\.\.\.)?".*is not valid JSON$/s, "");
    throw new ConfigError([`${file}:${line}:${col}: ${reason}`], file);
  }
}

// Node 20's JSON.parse messages often carry no position ("Unexpected token '}', ... is not
// valid JSON"). Every prefix before the offending character either parses or fails only
// because the input ends there; every longer prefix fails otherwise — so binary-search that
// boundary.
function jsonErrorOffset(text: string): number {
  const failsBeforeEnd = (n: number): boolean => {
    try {
      JSON.parse(text.slice(0, n));
      return false;
    } catch (e) {
      const message = (e as Error).message;
      const position = /at position (\d+)/.exec(message);
      if (position) return Number(position[1]) < n;
      return !message.startsWith("Unexpected end of JSON input");
    }
  };
  if (!failsBeforeEnd(text.length)) return text.length; // the text just ends too soon
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (failsBeforeEnd(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo - 1; // the character whose arrival made the prefix fail
}

function lineAndColumn(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, Math.max(0, offset));
  const lineStart = before.lastIndexOf("\n") + 1;
  return { line: before.split("\n").length, col: before.length - lineStart + 1 };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function merge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Issue formatting: "<key path>: <problem>, got <received value as JSON>".

function formatIssue(issue: z.core.$ZodIssue): string[] {
  const path = formatPath(issue.path);
  const got = `, got ${received(issue.input)}`;
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((k) => `${formatPath([...issue.path, k])}: unknown key`);
    case "invalid_type":
      return [`${path}: expected ${issue.expected === "int" ? "integer" : issue.expected}${got}`];
    case "invalid_value":
      return [`${path}: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(" | ")}${got}`];
    case "too_small":
      return [`${path}: expected ${bound(issue.origin, issue.inclusive ? ">=" : ">", issue.minimum)}${got}`];
    case "too_big":
      return [`${path}: expected ${bound(issue.origin, issue.inclusive ? "<=" : "<", issue.maximum)}${got}`];
    case "custom":
      // Object-level checks (e.g. tls.cert with tls.key) receive the whole object: leave it out.
      return [`${path}: ${issue.message}${isPrimitive(issue.input) ? got : ""}`];
    default:
      return [`${path}: ${issue.message}${got}`];
  }
}

function bound(origin: string, op: string, limit: number | bigint): string {
  if (origin === "array") return `${op === ">=" ? "at least" : op === "<=" ? "at most" : op} ${limit} item(s)`;
  if (origin === "string") return `${op === ">=" ? "at least" : op === "<=" ? "at most" : op} ${limit} character(s)`;
  return `a number ${op} ${limit}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(root)";
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join("");
}

function isPrimitive(v: unknown): boolean {
  return v === null || ["string", "number", "boolean"].includes(typeof v);
}

function received(v: unknown): string {
  if (v === undefined) return "nothing";
  let json: string | undefined;
  try {
    json = JSON.stringify(v);
  } catch {
    json = undefined;
  }
  if (json === undefined) return String(v);
  return json.length > 60 ? `${json.slice(0, 60)}…` : json;
}
