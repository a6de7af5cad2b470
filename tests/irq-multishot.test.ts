// OP_IRQ_WAIT with IOSQE_MULTISHOT (ioport extension, docs/spec.md §4.11):
// one arm, a completion per batch of interrupts (flags IOCQE_F_MORE), exact
// counts even when the port has no free slot, and a final completion
// without F_MORE when the arm ends.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ECANCELED,
  EINVAL,
  IOCQE_F_MORE,
  IOSQE_MULTISHOT,
  IRQ_RISING,
  OP_IRQ_WAIT,
  OP_NOP,
  decodeCompletion,
  decodeIrqEvent,
  type IoCompletion,
  type Task,
} from "../core/index.js";
import { Simulator } from "../host-sim/index.js";
import { setup, submit } from "./dev-helpers.js";

function reap(t: Task, port: number, max = 16): IoCompletion[] {
  const out = t.alloc(24 * max);
  const n = t.sys.io_wait_cb(port, out, max, 0, 0, () => {});
  expect(n).toBeGreaterThanOrEqual(0);
  return Array.from({ length: n }, (_, i) => decodeCompletion(t.view, out + 24 * i));
}

async function edges(sim: Simulator, pin: number, n: number, gapNs = 1000): Promise<void> {
  for (let i = 0; i < n; i++) {
    sim.gpio(pin).drive(1);
    await sim.advance(gapNs);
    sim.gpio(pin).drive(0);
    await sim.advance(gapNs);
  }
}

describe("OP_IRQ_WAIT multishot", () => {
  it("posts a completion per interrupt with IOCQE_F_MORE and an IrqEvent each, until cancelled", async () => {
    const { sim, t, port, sys } = setup();
    const line = sys.irq_create(4, IRQ_RISING);
    const ev = t.alloc(16);
    expect(submit(t, port, { opcode: OP_IRQ_WAIT, flags: IOSQE_MULTISHOT, fd: line, bufAddr: ev, bufLen: 16, userData: 9 })).toBe(1);
    const events: { c: IoCompletion; ts: bigint }[] = [];
    for (let i = 0; i < 3; i++) {
      await sim.advance(10_000);
      sim.gpio(4).drive(1);
      const at = sim.now;
      sim.gpio(4).drive(0);
      for (const c of reap(t, port)) events.push({ c, ts: decodeIrqEvent(t.view, ev).timestampNs });
      expect(events[events.length - 1]!.ts).toBe(BigInt(at));
    }
    expect(events.map((e) => [e.c.userData, e.c.result, e.c.flags, e.c.opcode])).toEqual([
      [9n, 1, IOCQE_F_MORE, OP_IRQ_WAIT],
      [9n, 1, IOCQE_F_MORE, OP_IRQ_WAIT],
      [9n, 1, IOCQE_F_MORE, OP_IRQ_WAIT],
    ]);
    expect(sys.io_cancel(port, 9n)).toBe(1);
    expect(reap(t, port).map((c) => [c.result, c.flags])).toEqual([[-ECANCELED, 0]]);
    sim.gpio(4).drive(1);
    expect(reap(t, port)).toEqual([]);
  });

  it("interrupts latched before the arm complete at once; the count is exact", async () => {
    const { sim, t, port, sys } = setup();
    const line = sys.irq_create(4, IRQ_RISING);
    await edges(sim, 4, 5);
    submit(t, port, { opcode: OP_IRQ_WAIT, flags: IOSQE_MULTISHOT, fd: line, userData: 1 });
    expect(reap(t, port).map((c) => [c.result, c.flags])).toEqual([[5, IOCQE_F_MORE]]);
  });

  it("with no free slot the interrupts stay latched and are posted after the next reap: none lost", async () => {
    const sim = new Simulator({ seed: 1, kernel: { cqEntries: 2 } });
    const t = sim.spawn();
    const port = t.sys.io_create(0);
    const line = t.sys.irq_create(4, IRQ_RISING);
    submit(t, port, { opcode: OP_IRQ_WAIT, flags: IOSQE_MULTISHOT, fd: line, userData: 1 });
    await edges(sim, 4, 1); // takes the second slot
    await edges(sim, 4, 4); // no slot: latched
    expect(submit(t, port, { opcode: OP_NOP })).toBe(-16); // the port is full
    expect(reap(t, port, 1).map((c) => c.result)).toEqual([1]);
    // the reap freed a slot: the 4 latched interrupts were posted as one completion
    expect(reap(t, port, 1).map((c) => [c.result, c.flags])).toEqual([[4, IOCQE_F_MORE]]);
  });

  for (const how of ["its port closed", "io_cancel"] as const) {
    it(`interrupts latched behind a starved multishot arm go to the next arm when that arm ends (${how})`, async () => {
      const sim = new Simulator({ seed: 1, kernel: { cqEntries: 2 } });
      const t = sim.spawn();
      const line = t.sys.irq_create(4, IRQ_RISING);
      const full = t.sys.io_create(0);
      const port = t.sys.io_create(0);
      submit(t, full, { opcode: OP_IRQ_WAIT, flags: IOSQE_MULTISHOT, fd: line, userData: 1 });
      submit(t, port, { opcode: OP_IRQ_WAIT, fd: line, userData: 2 });
      await edges(sim, 4, 1); // takes the second slot of `full`
      await edges(sim, 4, 3); // no slot: latched behind the starved multishot arm
      if (how === "its port closed") t.sys.close(full);
      else t.sys.io_cancel(full, 1n);
      sim.kernel.checkInvariants();
      expect(reap(t, port).map((c) => [c.userData, c.result])).toEqual([[2n, 3]]);
    });
  }

  it("a one-shot arm queued behind a multishot arm waits until the multishot arm ends", async () => {
    const { sim, t, port, sys } = setup();
    const line = sys.irq_create(4, IRQ_RISING);
    submit(t, port, { opcode: OP_IRQ_WAIT, flags: IOSQE_MULTISHOT, fd: line, userData: 1 }, { opcode: OP_IRQ_WAIT, fd: line, userData: 2 });
    await edges(sim, 4, 2);
    expect(reap(t, port).map((c) => c.userData)).toEqual([1n, 1n]);
    sys.io_cancel(port, 1n);
    await edges(sim, 4, 1);
    expect(reap(t, port).map((c) => [c.userData, c.result, c.flags])).toEqual([
      [1n, -ECANCELED, 0],
      [2n, 1, 0],
    ]);
  });

  it("closing the line ends the arm with -ECANCELED; closing the port leaves nothing behind", async () => {
    const { sim, t, port, sys } = setup();
    const line = sys.irq_create(4, IRQ_RISING);
    submit(t, port, { opcode: OP_IRQ_WAIT, flags: IOSQE_MULTISHOT, fd: line, userData: 1 });
    await edges(sim, 4, 1);
    sys.close(line);
    expect(reap(t, port).map((c) => [c.result, c.flags])).toEqual([
      [1, IOCQE_F_MORE],
      [-ECANCELED, 0],
    ]);
    const l2 = sys.irq_create(4, IRQ_RISING);
    submit(t, port, { opcode: OP_IRQ_WAIT, flags: IOSQE_MULTISHOT, fd: l2, bufAddr: t.alloc(16), bufLen: 16, userData: 2 });
    await edges(sim, 4, 2);
    sys.close(port);
    await edges(sim, 4, 2);
    t.exit();
    expect(sim.kernel.liveObjects).toBe(0);
  });

  it("a port of one slot cannot hold a multishot arm: -EINVAL", async () => {
    const sim = new Simulator({ seed: 1, kernel: { cqEntries: 1 } });
    const t = sim.spawn();
    const port = t.sys.io_create(0);
    const line = t.sys.irq_create(4, IRQ_RISING);
    submit(t, port, { opcode: OP_IRQ_WAIT, flags: IOSQE_MULTISHOT, fd: line, userData: 1 });
    expect(reap(t, port).map((c) => c.result)).toEqual([-EINVAL]);
  });

  it("IOSQE_MULTISHOT is only for OP_IRQ_WAIT; other flag bits stay invalid", async () => {
    const { t, port, sys } = setup();
    const line = sys.irq_create(4, IRQ_RISING);
    submit(t, port, { opcode: OP_NOP, flags: IOSQE_MULTISHOT, userData: 1 }, { opcode: OP_IRQ_WAIT, flags: 2, fd: line, userData: 2 });
    expect(reap(t, port).map((c) => [c.userData, c.result])).toEqual([
      [1n, -EINVAL],
      [2n, -EINVAL],
    ]);
  });

  it("property: whatever the edges, reaps and queue size, the counts add up to the interrupts raised", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 6 }),
        fc.array(fc.oneof(fc.record({ edges: fc.integer({ min: 1, max: 5 }) }), fc.record({ reap: fc.integer({ min: 1, max: 4 }) })), { maxLength: 40 }),
        async (cq, steps) => {
          const sim = new Simulator({ seed: 2, kernel: { cqEntries: cq } });
          const t = sim.spawn();
          const port = t.sys.io_create(0);
          const line = t.sys.irq_create(4, IRQ_RISING);
          submit(t, port, { opcode: OP_IRQ_WAIT, flags: IOSQE_MULTISHOT, fd: line, userData: 1 });
          let raised = 0;
          let counted = 0;
          for (const s of steps) {
            if ("edges" in s) {
              await edges(sim, 4, s.edges, 10);
              raised += s.edges;
            } else {
              for (const c of reap(t, port, s.reap)) {
                expect(c.flags).toBe(IOCQE_F_MORE);
                expect(c.result).toBeGreaterThan(0);
                counted += c.result;
              }
            }
            sim.kernel.checkInvariants();
          }
          // drain: each reap frees slots for what is still latched
          for (let i = 0; i < 100 && counted < raised; i++) for (const c of reap(t, port, 1)) counted += c.result;
          expect(counted).toBe(raised);
          t.exit();
          expect(sim.kernel.liveObjects).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });
});
