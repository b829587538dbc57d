import { createActor, type AnyActorScope, type AnyMachineSnapshot, type AnyStateMachine, type EventFrom, type InputFrom, type SnapshotFrom } from "xstate";

/**
 * Runs one xstate machine for many thousands of instances (one per client connection) with
 * xstate's own transition function, but without an `Actor` per instance.
 *
 * Why: each `createActor()` root brings its own actor system (maps, sets, a scheduler and a
 * dozen closures), about 3–4 KB per connection, more than everything else an idle session
 * holds. Here all instances share one actor scope; an instance keeps only its snapshot, its
 * pending delayed events and a queue while it is busy. Semantics follow `Actor`: events sent
 * while a step runs are processed after it, in order; delayed transitions (`after`) are timers
 * that `cancel` clears when their state is left; an action that throws stops the instance and
 * reports the error.
 *
 * Custom actions are not `provide()`d closures but handlers looked up by name, called with the
 * instance's owner, so one set of functions serves every instance.
 */
export type ActionHandler<TOwner, TSnapshot extends AnyMachineSnapshot> = (
  owner: TOwner,
  args: { context: TSnapshot["context"]; event: EventOf<TSnapshot> },
  params: any, // each action's own params
) => void;
type EventOf<TSnapshot> = TSnapshot extends { machine: infer M extends AnyStateMachine } ? EventFrom<M> : never;

/** Called after every processed event when inspection is on (the live inspector). */
export type SnapshotObserver<TSnapshot> = (snapshot: TSnapshot, event: { type: string }) => void;

export class MachineRunner<TMachine extends AnyStateMachine, TOwner> {
  private readonly scope: AnyActorScope;
  private readonly actions: Record<string, ActionHandler<TOwner, SnapshotFrom<TMachine>>>;
  /** An action threw or the machine errored: the instance has stopped. */
  readonly onError: (owner: TOwner, error: unknown) => void;
  private pending: ExecutableAction[] = [];

  constructor(
    readonly machine: TMachine,
    opts: { actions: Record<string, ActionHandler<TOwner, SnapshotFrom<TMachine>>>; onError: (owner: TOwner, error: unknown) => void },
  ) {
    const { actions } = opts;
    this.actions = actions;
    this.onError = opts.onError;
    // An inert scope, as xstate's pure `transition()` builds per call; here one for all.
    const self = createActor(machine);
    this.scope = {
      self,
      system: self.system,
      id: "",
      sessionId: "",
      logger: () => {},
      defer: () => {},
      stopChild: () => {},
      emit: () => {},
      actionExecutor: (action: ExecutableAction) => void this.pending.push(action),
    } as unknown as AnyActorScope;
    for (const name of Object.keys(machine.implementations.actions)) {
      const impl: unknown = machine.implementations.actions[name];
      // Built-ins (assign, raise…) carry a `type`; custom actions must have a handler here.
      if (typeof impl === "function" && (impl as { type?: string }).type === undefined && !(name in actions)) throw new Error(`no handler for action "${name}"`);
    }
  }

  /** A new instance in the machine's initial state; its entry actions run before this returns. */
  start(owner: TOwner, input: InputFrom<TMachine>, inspect?: SnapshotObserver<SnapshotFrom<TMachine>>): MachineInstance<TMachine, TOwner> {
    const instance = new MachineInstance<TMachine, TOwner>(this, owner, inspect);
    instance.begin(input);
    return instance;
  }

  /** @internal one macrostep: the next snapshot and the actions it asks for, in order. */
  step(snapshot: AnyMachineSnapshot | undefined, event: { type: string } | undefined, input: unknown): [AnyMachineSnapshot, ExecutableAction[]] {
    this.pending = [];
    const next = snapshot === undefined ? this.machine.getInitialSnapshot(this.scope, input) : this.machine.transition(snapshot, event!, this.scope);
    return [next, this.pending];
  }

  /** @internal */
  handler(type: string): ActionHandler<TOwner, SnapshotFrom<TMachine>> | undefined {
    return this.actions[type];
  }
}

interface ExecutableAction {
  type: string;
  info: { context: unknown; event: { type: string } };
  params: any;
}

export class MachineInstance<TMachine extends AnyStateMachine, TOwner> {
  private snapshot!: SnapshotFrom<TMachine>;
  private busy = false;
  /** Events sent while a step was running, allocated only then. */
  private queue: EventFrom<TMachine>[] | undefined;
  private timers: Map<string, NodeJS.Timeout> | undefined;
  private stopped = false;

  constructor(
    private readonly runner: MachineRunner<TMachine, TOwner>,
    private readonly owner: TOwner,
    private readonly inspect: SnapshotObserver<SnapshotFrom<TMachine>> | undefined,
  ) {}

  getSnapshot(): SnapshotFrom<TMachine> {
    return this.snapshot;
  }

  /** Delayed events waiting to fire. */
  get pendingDelays(): number {
    return this.timers?.size ?? 0;
  }

  /** @internal */
  begin(input: unknown): void {
    this.process(undefined, input);
  }

  send(event: EventFrom<TMachine>): void {
    if (this.stopped) return;
    if (this.busy) return void (this.queue ??= []).push(event);
    this.process(event, undefined);
  }

  /** Stops processing and clears pending delayed events. */
  stop(): void {
    this.stopped = true;
    this.queue = undefined;
    if (this.timers) for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers = undefined;
  }

  /** One event, then whatever its actions sent meanwhile, like an actor's mailbox. */
  private process(event: EventFrom<TMachine> | undefined, input: unknown): void {
    this.busy = true;
    this.run(event, input);
    while (!this.stopped && this.queue?.length) this.run(this.queue.shift(), undefined);
    this.queue = undefined;
    this.busy = false;
  }

  private run(event: EventFrom<TMachine> | undefined, input: unknown): void {
    try {
      const [next, actions] = this.runner.step(this.snapshot, event, input);
      this.snapshot = next as SnapshotFrom<TMachine>;
      if (next.status === "error") throw next.error;
      for (const action of actions) this.execute(action);
      if (this.inspect) this.observe(this.inspect, event);
      if (next.status !== "active") this.stop();
    } catch (err) {
      this.stop();
      this.runner.onError(this.owner, err);
    }
  }

  private observe(inspect: SnapshotObserver<SnapshotFrom<TMachine>>, event: EventFrom<TMachine> | undefined): void {
    try {
      inspect(this.snapshot, event ?? { type: "xstate.init" });
    } catch {
      // Watching an instance must never break it.
    }
  }

  private execute(action: ExecutableAction): void {
    switch (action.type) {
      case "xstate.raise": {
        const { event, id, delay } = action.params as { event: EventFrom<TMachine>; id: string | undefined; delay: number | undefined };
        if (typeof delay !== "number") return; // an immediate raise was handled inside the step
        const key = id ?? (event as { type: string }).type;
        this.cancel(key);
        const timer = setTimeout(() => {
          this.forget(key);
          this.send(event);
        }, delay);
        (this.timers ??= new Map()).set(key, timer);
        return;
      }
      case "xstate.cancel":
        return this.cancel(action.params.sendId as string);
    }
    const handler = this.runner.handler(action.type);
    if (!handler) throw new Error(`machine asked for action "${action.type}", which the runner does not support`);
    handler(this.owner, action.info as never, action.params);
  }

  private cancel(key: string): void {
    const timer = this.timers?.get(key);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.forget(key);
  }

  /** Drops a timer's entry; an instance with no pending timers holds no map. */
  private forget(key: string): void {
    this.timers?.delete(key);
    if (this.timers?.size === 0) this.timers = undefined;
  }
}
