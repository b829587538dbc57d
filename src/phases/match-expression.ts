import type { Element } from "ltx";
import { PhaseError } from "./phase-error.js";

/**
 * The XPath subset phases are matched with:
 *
 *   expr      := step ("/" step)*
 *   step      := ("{" namespace "}")? (name | "*") predicate*
 *   predicate := "[@" attr "]" | "[@" attr "=" ("'" value "'" | '"' value '"') "]"
 *
 * The first step is the stanza itself; each further step is a child of the previous one
 * (any child that matches). A step without `{namespace}` matches any namespace.
 * Example: `{jabber:client}iq[@type='get']/{jabber:iq:roster}query`.
 */
export interface MatchStep {
  readonly ns: string | undefined;
  readonly name: string; // "*" for any
  readonly attrs: ReadonlyArray<readonly [name: string, value: string | undefined]>;
}

export interface MatchExpression {
  readonly source: string;
  readonly steps: readonly MatchStep[];
  test(el: Element): boolean;
}

const STEP = /^(?:\{([^{}]+)\})?([A-Za-z_*][\w.:-]*)((?:\[[^\]]*\])*)$/;
const PREDICATE = /\[@([A-Za-z_][\w.:-]*)(?:\s*=\s*(?:'([^']*)'|"([^"]*)"))?\]/g;

export function parseMatchExpression(source: string): MatchExpression {
  const trimmed = source.trim();
  if (!trimmed) throw new PhaseError("BAD_EXPRESSION", `empty match expression`);
  const steps = splitSteps(trimmed, source).map((text) => parseStep(text, source));
  return { source, steps, test: (el) => matchFrom(el, steps, 0) };
}

/** Splits on "/" outside `{namespace}` and `[predicate]` (namespaces are URIs with slashes). */
function splitSteps(expr: string, source: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") depth--;
    else if (c === "/" && depth === 0) {
      parts.push(expr.slice(start, i));
      start = i + 1;
    }
    if (depth < 0) throw new PhaseError("BAD_EXPRESSION", `unbalanced brackets in "${source}"`);
  }
  if (depth !== 0) throw new PhaseError("BAD_EXPRESSION", `unbalanced brackets in "${source}"`);
  parts.push(expr.slice(start));
  return parts;
}

function parseStep(text: string, source: string): MatchStep {
  const m = STEP.exec(text);
  if (!m) throw new PhaseError("BAD_EXPRESSION", `cannot parse step "${text}" in "${source}"`);
  const [, ns, name, predicates] = m;
  if (name.includes("*") && name !== "*") {
    throw new PhaseError("BAD_EXPRESSION", `bad element name "${name}" in "${source}"`);
  }
  const attrs: [string, string | undefined][] = [];
  let consumed = 0;
  for (const p of predicates.matchAll(PREDICATE)) {
    if (p.index !== consumed) break;
    attrs.push([p[1], p[2] ?? p[3]]);
    consumed += p[0].length;
  }
  if (consumed !== predicates.length) {
    throw new PhaseError("BAD_EXPRESSION", `unsupported predicate "${predicates.slice(consumed)}" in "${source}" (only [@attr] and [@attr='value'])`);
  }
  return { ns, name, attrs };
}

function matchFrom(el: Element, steps: readonly MatchStep[], i: number): boolean {
  if (!stepMatches(el, steps[i])) return false;
  if (i === steps.length - 1) return true;
  for (const child of el.children) {
    if (typeof child !== "string" && matchFrom(child, steps, i + 1)) return true;
  }
  return false;
}

function stepMatches(el: Element, step: MatchStep): boolean {
  if (step.name !== "*" && localName(el) !== step.name) return false;
  if (step.ns !== undefined && el.getNS() !== step.ns) return false;
  for (const [name, value] of step.attrs) {
    const actual = el.attrs[name];
    if (actual === undefined || (value !== undefined && actual !== value)) return false;
  }
  return true;
}

export function localName(el: Element): string {
  const colon = el.name.indexOf(":");
  return colon === -1 ? el.name : el.name.slice(colon + 1);
}
