import type { Element } from "ltx";

/**
 * What a handler sees and may do while its chain runs (the pjabberd contract, see DESIGN.md).
 * One context object lives for the whole chain; `lastRetVal` is updated between handlers.
 */
export interface HandlerContext<TSession = unknown> {
  /** The stanza the chain runs for. */
  readonly stanza: Element;
  /** Whatever the caller passed as the session (the connection's session for c2s chains). */
  readonly session: TSession;
  /** The phase this chain runs. */
  readonly phase: string;
  /**
   * The previous handler's return value. Returning `undefined` keeps it; a thrown error is
   * appended as the last element of an array (see `appendError`).
   */
  readonly lastRetVal: unknown;
  /** Adds `out` to the chain's output (what the caller routes or writes once the chain ends). */
  chainOutput(out: unknown): void;
  /** No further regular handlers run (a handler set with `setLastHandler` still does). */
  stopChain(): void;
  /** Runs `handler` right after the current one, before the remaining handlers. */
  setNextHandler(handler: HandlerRef<TSession>, onError?: HandlerRef<TSession>): void;
  /** Runs `handler` after all remaining handlers, even when one of them calls `stopChain()`. */
  setLastHandler(handler: HandlerRef<TSession>, onError?: HandlerRef<TSession>): void;
  /**
   * Runs the named job on the worker pool; the chain waits, and the job's result becomes
   * `lastRetVal` for the next handler (a job failure is handled like a throw).
   * Return its result (or just call it) from the handler.
   */
  offload(job: string, payload?: unknown): Offload;
}

export type Handler<TSession = unknown> = (ctx: HandlerContext<TSession>) => unknown;
/** A handler by value or by the name it was registered under. */
export type HandlerRef<TSession = unknown> = Handler<TSession> | string;

/** A regular handler with its optional paired error handler. */
export interface HandlerStep<TSession = unknown> {
  readonly handler: Handler<TSession>;
  readonly onError?: Handler<TSession>;
  readonly name: string;
}

/** Marker returned by `ctx.offload()`; the chain actor turns it into a worker job. */
export class Offload {
  constructor(readonly job: string, readonly payload: unknown) {}
}

/**
 * pjabberd rule: a thrown error becomes the last element of `lastRetVal`.
 * `undefined` → `[err]`, an array → a copy with `err` appended, anything else → `[value, err]`.
 */
export function appendError(lastRetVal: unknown, err: unknown): unknown[] {
  if (lastRetVal === undefined) return [err];
  if (Array.isArray(lastRetVal)) return [...lastRetVal, err];
  return [lastRetVal, err];
}
