// §5 property: under random batches, waits, timeouts and cancellations every
// accepted submission completes exactly once, the queue is FIFO in posting
// order, and the same seed gives the same history.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ECANCELED, EINVAL, OP_NOP, OP_TIMEOUT, decodeCompletion } from "../core/index.js";
import { Simulator } from "../host-sim/index.js";

type Action =
  | { kind: "submit"; ops: { opcode: number; timeout: number; flags: number }[] }
  | { kind: "cancel"; pick: number }
  | { kind: "wait"; max: number; min: number; timeout: number; cb: boolean }
  | { kind: "advance"; ns: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({
    kind: fc.constant("submit" as const),
    ops: fc.array(
      fc.record({
        opcode: fc.constantFrom(OP_NOP, OP_TIMEOUT, OP_TIMEOUT, 42),
        timeout: fc.integer({ min: 0, max: 500 }),
        flags: fc.constantFrom(0, 0, 0, 2),
      }),
      { minLength: 1, maxLength: 12 },
    ),
  }),
  fc.record({ kind: fc.constant("cancel" as const), pick: fc.nat(1000) }),
  fc.record({
    kind: fc.constant("wait" as const),
    max: fc.integer({ min: 1, max: 16 }),
    min: fc.integer({ min: 0, max: 4 }),
    timeout: fc.integer({ min: 1, max: 300 }),
    cb: fc.boolean(),
  }),
  fc.record({ kind: fc.constant("advance" as const), ns: fc.integer({ min: 0, max: 400 }) }),
);

async function play(actions: Action[], cq: number): Promise<string[]> {
  const sim = new Simulator({ seed: 3, kernel: { cqEntries: cq } });
  const task = sim.spawn({ memoryBytes: 64 * 1024 });
  const { sys } = task;
  const port = sys.io_create(0);
  const sqes = task.alloc(48 * 12);
  const out = task.alloc(24 * 16);
  const history: string[] = [];
  let nextUd = 1;
  const pending = new Map<number, { opcode: number; expect: "ok" | "einval" | "either" }>();
  const seen = new Set<number>();
  const reap = (n: number) => {
    for (let i = 0; i < n; i++) {
      const c = decodeCompletion(task.view, out + 24 * i);
      const ud = Number(c.userData);
      expect(seen.has(ud)).toBe(false); // exactly once
      seen.add(ud);
      const p = pending.get(ud);
      expect(p).toBeDefined();
      expect(c.opcode).toBe(p!.opcode);
      if (p!.expect === "einval") expect(c.result).toBe(-EINVAL);
      else expect([0, -ECANCELED]).toContain(c.result);
      pending.delete(ud);
      history.push(`${sim.now}:${ud}:${c.result}`);
    }
  };
  for (const a of actions) {
    if (a.kind === "submit") {
      a.ops.forEach((o, i) => {
        const at = sqes + 48 * i;
        task.view.setUint32(at, nextUd + i, true);
        task.view.setUint32(at + 4, 0, true);
        task.view.setUint32(at + 8, o.opcode, true);
        task.view.setUint32(at + 12, o.flags, true);
        task.view.setUint32(at + 40, o.timeout, true);
        task.view.setUint32(at + 44, 0, true);
      });
      const r = sys.io_submit(port, sqes, a.ops.length);
      const accepted = r > 0 ? r : 0;
      expect(r === -16 || r > 0).toBe(true);
      for (let i = 0; i < accepted; i++) {
        const o = a.ops[i]!;
        const bad = o.flags !== 0 || o.opcode === 42;
        pending.set(nextUd + i, { opcode: o.opcode, expect: bad ? "einval" : "either" });
      }
      nextUd += a.ops.length;
    } else if (a.kind === "cancel") {
      const keys = [...pending.keys()];
      if (keys.length > 0) sys.io_cancel(port, BigInt(keys[a.pick % keys.length]!));
    } else if (a.kind === "wait") {
      if (a.cb) {
        let got: number | undefined;
        const r = sys.io_wait_cb(port, out, a.max, a.min, a.timeout, (n) => (got = n));
        if (r >= 0) reap(r);
        else {
          await sim.run(async () => {
            while (got === undefined) await new Promise<void>((res) => sim.after(1, res));
          });
          expect(got! >= 0).toBe(true);
          reap(got!);
        }
      } else {
        const n = await sim.run(() => sys.io_wait(port, out, a.max, a.min, a.timeout));
        expect(n).toBeGreaterThanOrEqual(0);
        reap(n);
      }
    } else {
      await sim.advance(a.ns);
    }
    sim.kernel.checkInvariants();
  }
  // drain: everything accepted eventually completes exactly once
  await sim.advance(1000);
  for (;;) {
    const n = await sys.io_wait(port, out, 16, 0, 0);
    if (n === 0) break;
    reap(n);
  }
  expect([...pending.keys()]).toEqual([]);
  sys.close(port);
  expect(sim.kernel.liveObjects).toBe(0);
  expect(sim.platform.events.length).toBe(0);
  return history;
}

describe("exactly once, FIFO, deterministic", () => {
  it("every accepted submission completes exactly once under random interleavings", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 16 }), async (actions, cq) => {
        const h1 = await play(actions, cq);
        const h2 = await play(actions, cq);
        expect(h2).toEqual(h1);
      }),
      { numRuns: 150 },
    );
  });

  it("the queue is FIFO in posting order: timeouts come out sorted by due time", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 60 }), async (timeouts) => {
        const sim = new Simulator();
        const task = sim.spawn();
        const port = task.sys.io_create(0);
        const sqes = task.alloc(48 * timeouts.length);
        timeouts.forEach((t, i) => {
          task.view.setUint32(sqes + 48 * i, i, true);
          task.view.setUint32(sqes + 48 * i + 8, OP_TIMEOUT, true);
          task.view.setUint32(sqes + 48 * i + 40, t, true);
        });
        expect(task.sys.io_submit(port, sqes, timeouts.length)).toBe(timeouts.length);
        const out = task.alloc(24 * 64);
        await sim.advance(1000);
        const n = await task.sys.io_wait(port, out, 64, 0, 0);
        expect(n).toBe(timeouts.length);
        const order = Array.from({ length: n }, (_, i) => task.view.getUint32(out + 24 * i, true));
        const expected = timeouts.map((t, i) => [t, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, i]) => i);
        expect(order).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });
});
