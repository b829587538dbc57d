import type { Element } from "ltx";
import { PhaseError } from "./phase-error.js";
import { localName, parseMatchExpression, type MatchExpression } from "./match-expression.js";
import type { Handler, HandlerRef, HandlerStep } from "./handler.js";

export interface HandlerSpec<TSession = unknown> {
  handler: HandlerRef<TSession>;
  onError?: HandlerRef<TSession>;
}

export interface PhaseDefinition<TSession = unknown> {
  name: string;
  /** XPath-subset expression; omit for a phase that is only run by name (`registry.get`). */
  match?: string;
  /** Higher runs first; equal priorities keep registration order. Default 0. */
  priority?: number;
  handlers: ReadonlyArray<HandlerRef<TSession> | HandlerSpec<TSession>>;
}

export interface Phase<TSession = unknown> {
  readonly name: string;
  readonly priority: number;
  readonly match: MatchExpression | undefined;
  readonly steps: readonly HandlerStep<TSession>[];
  /** Registration sequence number. */
  readonly order: number;
  /** Position in (priority desc, registration asc) order; lower wins. */
  readonly rank: number;
}

const ANY = "*";

/**
 * Phases by name and an index for matching stanzas: bucket key is
 * `<stanza name>|<namespace of the child step>` (either may be "*" / ""), so a stanza is only
 * tested against phases that could match it, never every phase.
 */
export class PhaseRegistry<TSession = unknown> {
  private readonly handlers = new Map<string, Handler<TSession>>();
  private readonly phases = new Map<string, Phase<TSession>>();
  private readonly index = new Map<string, Phase<TSession>[]>();
  /** Steps that open every phase, in the order they were added (see `prelude`). */
  private readonly preludes: HandlerStep<TSession>[] = [];
  private sequence = 0;

  /** Registers a named handler so phases (and `setNextHandler`) can refer to it by name. */
  handler(name: string, fn: Handler<TSession>): this {
    if (this.handlers.has(name)) throw new PhaseError("DUPLICATE_HANDLER", `handler "${name}" is already registered`);
    this.handlers.set(name, fn);
    return this;
  }

  resolveHandler(ref: HandlerRef<TSession>): Handler<TSession> {
    if (typeof ref === "function") return ref;
    const fn = this.handlers.get(ref);
    if (!fn) throw new PhaseError("UNKNOWN_HANDLER", `no handler named "${ref}"`);
    return fn;
  }

  phase(def: PhaseDefinition<TSession>): Phase<TSession> {
    if (!def.name) throw new PhaseError("BAD_PHASE", "a phase needs a name");
    if (this.phases.has(def.name)) throw new PhaseError("DUPLICATE_PHASE", `phase "${def.name}" is already registered`);
    if (def.handlers.length === 0) throw new PhaseError("BAD_PHASE", `phase "${def.name}" has no handlers`);
    const priority = def.priority ?? 0;
    if (!Number.isFinite(priority)) throw new PhaseError("BAD_PHASE", `phase "${def.name}": priority must be a finite number`);
    const match = def.match === undefined ? undefined : parseMatchExpression(def.match);
    const steps = [...this.preludes, ...def.handlers.map((spec) => this.step(spec, def.name))];
    const phase: Phase<TSession> = { name: def.name, priority, match, steps, order: this.sequence++, rank: 0 };
    this.phases.set(def.name, phase);
    if (match) this.addToIndex(phase, match);
    this.rerank();
    return phase;
  }

  /**
   * Adds a handler to a phase another module registered (e.g. a blocking check at the start of
   * the message phase). `before`/`after` name an existing step; neither: appended at the end;
   * `{ first: true }`: inserted at the start. Deterministic: insertion happens at registration.
   */
  extend(
    phaseName: string,
    spec: HandlerRef<TSession> | HandlerSpec<TSession>,
    where: { before?: string; after?: string; first?: boolean } = {},
  ): Phase<TSession> {
    const phase = this.get(phaseName);
    const step = this.step(spec, phaseName);
    const steps = [...phase.steps];
    const anchor = where.before ?? where.after;
    let at = where.first ? 0 : steps.length;
    if (anchor !== undefined) {
      const i = steps.findIndex((s) => s.name === anchor);
      if (i === -1) throw new PhaseError("UNKNOWN_HANDLER", `phase "${phaseName}" has no step named "${anchor}"`);
      at = where.before !== undefined ? i : i + 1;
    }
    steps.splice(at, 0, step);
    (phase as { steps: readonly HandlerStep<TSession>[] }).steps = steps;
    return phase;
  }

  /**
   * A handler that runs first in every phase, those registered so far and those to come (e.g.
   * an access check such as the blocking module's). Preludes run in the order they were added,
   * before anything `extend({ first: true })` put at the start.
   */
  prelude(spec: HandlerRef<TSession> | HandlerSpec<TSession>): void {
    const step = this.step(spec, "(prelude)");
    for (const phase of this.phases.values()) {
      const steps = [...phase.steps];
      let at = 0;
      while (at < steps.length && this.preludes.includes(steps[at])) at++;
      steps.splice(at, 0, step);
      (phase as { steps: readonly HandlerStep<TSession>[] }).steps = steps;
    }
    this.preludes.push(step);
  }

  get(name: string): Phase<TSession> {
    const phase = this.phases.get(name);
    if (!phase) throw new PhaseError("UNKNOWN_PHASE", `no phase named "${name}"`);
    return phase;
  }

  has(name: string): boolean {
    return this.phases.has(name);
  }

  list(): Phase<TSession>[] {
    return [...this.phases.values()].sort((a, b) => a.rank - b.rank);
  }

  /** The highest-ranked phase whose expression matches `stanza`, or undefined. */
  match(stanza: Element): Phase<TSession> | undefined {
    const name = localName(stanza);
    let best = this.firstIn(this.index.get(`${name}|`), stanza, undefined);
    best = this.firstIn(this.index.get(`${ANY}|`), stanza, best);
    for (const child of stanza.children) {
      if (typeof child === "string") continue;
      const ns = child.getNS();
      if (!ns) continue;
      best = this.firstIn(this.index.get(`${name}|${ns}`), stanza, best);
      best = this.firstIn(this.index.get(`${ANY}|${ns}`), stanza, best);
    }
    return best;
  }

  /** Buckets are kept sorted by rank, so the first hit in a bucket is that bucket's best. */
  private firstIn(bucket: Phase<TSession>[] | undefined, stanza: Element, best: Phase<TSession> | undefined) {
    if (!bucket) return best;
    for (const phase of bucket) {
      if (best && phase.rank >= best.rank) return best;
      if (phase.match!.test(stanza)) return phase;
    }
    return best;
  }

  private step(spec: HandlerRef<TSession> | HandlerSpec<TSession>, phase: string): HandlerStep<TSession> {
    const { handler, onError } = typeof spec === "object" ? spec : { handler: spec, onError: undefined };
    try {
      return {
        handler: this.resolveHandler(handler),
        onError: onError === undefined ? undefined : this.resolveHandler(onError),
        name: typeof handler === "string" ? handler : handler.name || "anonymous",
      };
    } catch (err) {
      if (err instanceof PhaseError) throw new PhaseError(err.code, `phase "${phase}": ${err.message.replace(/^\w+: /, "")}`);
      throw err;
    }
  }

  private addToIndex(phase: Phase<TSession>, match: MatchExpression): void {
    const [root, child] = match.steps;
    const key = `${root.name}|${child?.ns ?? ""}`;
    const bucket = this.index.get(key) ?? [];
    bucket.push(phase);
    this.index.set(key, bucket);
  }

  /** Recomputes ranks: priority desc, then registration order. Registration is rare; matching is hot. */
  private rerank(): void {
    const ordered = [...this.phases.values()].sort((a, b) => b.priority - a.priority || a.order - b.order);
    ordered.forEach((p, i) => ((p as { rank: number }).rank = i));
    for (const bucket of this.index.values()) bucket.sort((a, b) => a.rank - b.rank);
  }
}
