// Shared memory through which the pool knows, without a message, whether and when a worker started
// each job it was sent. A worker has `lanes` slots, one per job it may hold (the pipeline depth).
// Per lane: the job id (Int32, -id = sent but not started, id = started, 0 = free or revoked) and
// the start time (Float64, Date.now()). Starting and revoking are both a compare-and-swap on the id,
// so a job is either started by the worker or taken back by the pool, never both.

export class StartTable {
  private readonly ids: Int32Array;
  private readonly times: Float64Array;

  static create(lanes: number): StartTable {
    return new StartTable(new SharedArrayBuffer(lanes * (Float64Array.BYTES_PER_ELEMENT + Int32Array.BYTES_PER_ELEMENT)));
  }

  constructor(readonly buffer: SharedArrayBuffer) {
    const lanes = buffer.byteLength / (Float64Array.BYTES_PER_ELEMENT + Int32Array.BYTES_PER_ELEMENT);
    this.times = new Float64Array(buffer, 0, lanes);
    this.ids = new Int32Array(buffer, lanes * Float64Array.BYTES_PER_ELEMENT, lanes);
  }

  /** Pool: job `id` (> 0) is being sent to the worker in `lane`. */
  assign(lane: number, id: number): void {
    Atomics.store(this.ids, lane, -id);
  }

  /** Worker: claims the job; false if the pool revoked it, and then it must not run. */
  tryStart(lane: number, id: number): boolean {
    this.times[lane] = Date.now(); // written before the id, so whoever sees the id sees the time
    return Atomics.compareExchange(this.ids, lane, -id, id) === -id;
  }

  /** Pool: when the job started (Date.now() in the worker), or undefined if it hasn't. */
  startedAt(lane: number, id: number): number | undefined {
    return Atomics.load(this.ids, lane) === id ? this.times[lane] : undefined;
  }

  /** Pool: takes back a job the worker hasn't started; true if it now never will. */
  revoke(lane: number, id: number): boolean {
    return Atomics.compareExchange(this.ids, lane, -id, 0) === -id;
  }
}
