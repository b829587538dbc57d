// Generates docs/configuration.md from the schema, so the documentation cannot drift from it:
//   npx tsx src/config/docs.ts > docs/configuration.md
// The schema is read through zod's JSON Schema export (public API) rather than zod internals.
import { pathToFileURL } from "node:url";
import { stringify as toYaml } from "yaml";
import { z } from "zod";
import { defaultConfig } from "./load.js";
import { configSchema } from "./schema.js";

// The parts of JSON Schema (draft 2020-12) that z.toJSONSchema emits for this schema.
interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minItems?: number;
  minLength?: number;
}

interface Row {
  key: string;
  type: string;
  default: string;
  description: string;
}

/** The configuration reference as Markdown: heading, introduction, one table row per key. */
export function configDocs(): string {
  const schema = z.toJSONSchema(configSchema, { io: "input" }) as JsonSchema;
  const rows = collectRows(schema, "");
  const cell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
  return [
    "# Configuration",
    "",
    "tjabberd reads its configuration from a YAML file (`.yaml`, `.yml`) or a JSON file (`.json`).",
    "Every key is optional and falls back to the default below; unknown keys are errors, reported",
    "with their path, e.g. `listeners.c2s.prot: unknown key`. Nested keys are written nested in the",
    "file (`listeners.c2s.port` is `port` inside `c2s` inside `listeners`).",
    "",
    "This file is generated from `src/config/schema.ts`; regenerate it with",
    "`npx tsx src/config/docs.ts > docs/configuration.md` instead of editing it.",
    "",
    "| Key | Type | Default | Description |",
    "| --- | --- | --- | --- |",
    ...rows.map((r) => `| \`${r.key}\` | ${cell(r.type)} | ${cell(r.default)} | ${cell(r.description)} |`),
    "",
    "## All defaults",
    "",
    "```yaml",
    toYaml(defaultConfig()).trimEnd(),
    "```",
    "",
  ].join("\n");
}

function collectRows(schema: JsonSchema, prefix: string): Row[] {
  const rows: Row[] = [];
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    const key = prefix + name;
    if (prop.properties) {
      rows.push({ key, type: "object", default: "", description: prop.description ?? "" });
      rows.push(...collectRows(prop, `${key}.`));
    } else {
      rows.push({ key, type: typeName(prop), default: `\`${JSON.stringify(prop.default)}\``, description: prop.description ?? "" });
    }
  }
  return rows;
}

function typeName(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (s.anyOf) return s.anyOf.map(typeName).join(" | ");
  const type = Array.isArray(s.type) ? s.type.join(" | ") : (s.type ?? "any");
  if (type === "array") {
    const item = s.items ? typeName(s.items) : "any";
    const list = `${item.includes(" | ") ? `(${item})` : item}[]`;
    return s.minItems ? `${list}, at least ${s.minItems}` : list;
  }
  // .int() implies maximum = Number.MAX_SAFE_INTEGER, which is no real limit.
  if (s.minimum !== undefined && s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER) return `${type} ${s.minimum}–${s.maximum}`;
  if (s.minimum !== undefined) return `${type} ≥ ${s.minimum}`;
  if (type === "string" && s.minLength) return "non-empty string";
  return type;
}

// Run as a script: print the document.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(configDocs());
}
