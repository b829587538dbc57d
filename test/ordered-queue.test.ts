import { OrderedQueue } from "../actors/ordered-queue.js";

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("OrderedQueue", () => {
  test("processes items strictly in arrival order even when items finish asynchronously", async () => {
    const order: string[] = [];
    const q = new OrderedQueue<{ id: number; delay: number }>((item, done) => {
      order.push(`start ${item.id}`);
      if (item.delay === 0) {
        order.push(`end ${item.id}`);
        done();
      } else setTimeout(() => { order.push(`end ${item.id}`); done(); }, item.delay);
    });
    q.push({ id: 1, delay: 20 });
    q.push({ id: 2, delay: 0 });
    q.push({ id: 3, delay: 5 });
    expect(q.size).toBe(3);
    await q.idle();
    expect(order).toEqual(["start 1", "end 1", "start 2", "end 2", "start 3", "end 3"]);
    expect(q.size).toBe(0);
  });

  test("two queues interleave: a slow connection does not hold up another", async () => {
    const log: string[] = [];
    const slow = new OrderedQueue<string>((item, done) => setTimeout(() => { log.push(item); done(); }, 30));
    const fast = new OrderedQueue<string>((item, done) => setTimeout(() => { log.push(item); done(); }, 1));
    slow.push("slow-1");
    fast.push("fast-1");
    fast.push("fast-2");
    await Promise.all([slow.idle(), fast.idle()]);
    expect(log).toEqual(["fast-1", "fast-2", "slow-1"]);
  });

  test("100k synchronous items drain without recursion", () => {
    let n = 0;
    const q = new OrderedQueue<number>((i, done) => { n += i; done(); });
    for (let i = 0; i < 100_000; i++) q.push(1);
    expect(n).toBe(100_000);
    expect(q.size).toBe(0);
  });

  test("a throwing processor does not wedge the queue", async () => {
    const errors: unknown[] = [];
    const seen: number[] = [];
    const q = new OrderedQueue<number>((i, done) => { if (i === 2) throw new Error("bad"); seen.push(i); done(); }, (e) => errors.push(e));
    [1, 2, 3].forEach((i) => q.push(i));
    await q.idle();
    expect(seen).toEqual([1, 3]);
    expect(errors).toHaveLength(1);
  });

  test("done() twice is ignored; clear() drops what has not started", async () => {
    const seen: number[] = [];
    let release!: () => void;
    const q = new OrderedQueue<number>((i, done) => { seen.push(i); if (i === 1) release = () => { done(); done(); }; else done(); });
    q.push(1); q.push(2); q.push(3);
    q.clear();
    release();
    await tick(1);
    expect(seen).toEqual([1]);
    q.push(4);
    expect(seen).toEqual([1, 4]);
  });
});
