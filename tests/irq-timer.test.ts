import { describe, it, expect } from "vitest";
import {
  OP_IRQ_WAIT,
  IRQ_PERIODIC,
  IRQ_ONESHOT,
  IRQ_RISING,
  IRQ_TIMER_BASE,
  EBUSY,
  ECANCELED,
  EINVAL,
  ENODEV,
  decodeIrqEvent,
} from "../core/index.js";
import { collect, setup, submit } from "./dev-helpers.js";

const T0 = IRQ_TIMER_BASE;

describe("timer IRQ lines", () => {
  it("checks -ENODEV, -EINVAL, -EBUSY; period is a positive integer number or bigint", () => {
    const { sys } = setup();
    expect(sys.irq_create(T0 + 4, IRQ_PERIODIC, 1000)).toBe(-ENODEV);
    expect(sys.irq_create(T0 - 1, IRQ_PERIODIC, 1000)).toBe(-ENODEV);
    expect(sys.irq_create(T0 + 4, 0, 0)).toBe(-ENODEV);
    expect(sys.irq_create(T0, IRQ_RISING, 1000)).toBe(-EINVAL);
    expect(sys.irq_create(T0, IRQ_PERIODIC | IRQ_ONESHOT, 1000)).toBe(-EINVAL);
    expect(sys.irq_create(T0, IRQ_PERIODIC)).toBe(-EINVAL);
    expect(sys.irq_create(T0, IRQ_PERIODIC, 0)).toBe(-EINVAL);
    expect(sys.irq_create(T0, IRQ_PERIODIC, 0n)).toBe(-EINVAL);
    expect(sys.irq_create(T0, IRQ_PERIODIC, -5)).toBe(-EINVAL);
    expect(sys.irq_create(T0, IRQ_PERIODIC, 1.5)).toBe(-EINVAL);
    expect(sys.irq_create(T0, IRQ_PERIODIC, "1000" as unknown as number)).toBe(-EINVAL);
    expect(sys.irq_create(T0, IRQ_PERIODIC, 2n ** 60n)).toBe(-EINVAL);
    const fd = sys.irq_create(T0, IRQ_PERIODIC, 1000n);
    expect(fd).toBeGreaterThanOrEqual(0);
    expect(sys.irq_create(T0, IRQ_ONESHOT, 5)).toBe(-EBUSY);
    expect(sys.irq_create(T0 + 3, IRQ_ONESHOT, 5)).toBeGreaterThanOrEqual(0);
  });

  it("a periodic line fires at creation + k·period, armed or not", async () => {
    const { sim, t, port, sys } = setup();
    await sim.advance(500);
    const irq = sys.irq_create(T0 + 1, IRQ_PERIODIC, 1000);
    const ev = t.alloc(16);
    const log = collect(sim, t, port);
    submit(t, port, { userData: 1, opcode: OP_IRQ_WAIT, fd: irq, bufAddr: ev, bufLen: 16 });
    await sim.advance(1000);
    expect(log).toMatchObject([{ at: 1500, userData: 1n, result: 1 }]);
    expect(decodeIrqEvent(t.view, ev)).toEqual({ timestampNs: 1500n, count: 1, level: 0 });
    // unarmed for 3.5 periods: latched and counted
    await sim.advance(3500);
    submit(t, port, { userData: 2, opcode: OP_IRQ_WAIT, fd: irq, bufAddr: ev, bufLen: 16 });
    await sim.advance(0);
    expect(log[1]).toMatchObject({ at: 5000, result: 3 });
    expect(decodeIrqEvent(t.view, ev)).toEqual({ timestampNs: 2500n, count: 3, level: 0 });
    submit(t, port, { userData: 3, opcode: OP_IRQ_WAIT, fd: irq });
    await sim.advance(10_000);
    expect(log[2]).toMatchObject({ at: 5500, result: 1 });
  });

  it("does not drift: the k-th interrupt is exactly creation + k·period", async () => {
    const { sim, t, port, sys } = setup();
    await sim.advance(7);
    const period = 333_333;
    const irq = sys.irq_create(T0 + 2, IRQ_PERIODIC, period);
    const times: number[] = [];
    const out = t.alloc(24);
    const sqe = t.alloc(48);
    const { encodeSubmission } = await import("../core/index.js");
    encodeSubmission(t.view, sqe, { userData: 9, opcode: OP_IRQ_WAIT, fd: irq });
    const cb = (n: number): void => {
      if (n <= 0) return;
      times.push(sim.now);
      sys.io_submit(port, sqe, 1);
      sys.io_wait_cb(port, out, 1, 1, 0, cb);
    };
    sys.io_submit(port, sqe, 1);
    sys.io_wait_cb(port, out, 1, 1, 0, cb);
    await sim.advance(7 + 1000 * period - 7);
    expect(times.length).toBe(1000);
    times.forEach((at, i) => expect(at).toBe(7 + (i + 1) * period));
  });

  it("a one-shot line fires once at creation + period", async () => {
    const { sim, t, port, sys } = setup();
    const irq = sys.irq_create(T0, IRQ_ONESHOT, 2500n);
    const log = collect(sim, t, port);
    submit(t, port, { userData: 1, opcode: OP_IRQ_WAIT, fd: irq }, { userData: 2, opcode: OP_IRQ_WAIT, fd: irq });
    await sim.advance(1_000_000);
    expect(log).toMatchObject([{ at: 2500, userData: 1n, result: 1 }]);
    expect(sim.platform.events.length).toBe(0);
  });

  it("close stops the timer, cancels arms, and frees the line", async () => {
    const { sim, t, port, sys } = setup();
    const irq = sys.irq_create(T0 + 3, IRQ_PERIODIC, 100);
    const log = collect(sim, t, port);
    await sim.advance(250);
    submit(t, port, { userData: 1, opcode: OP_IRQ_WAIT, fd: irq }); // 2 latched
    submit(t, port, { userData: 2, opcode: OP_IRQ_WAIT, fd: irq });
    sys.close(irq);
    await sim.advance(0);
    expect(log.map((c) => [c.at, Number(c.userData), c.result])).toEqual([
      [250, 1, 2],
      [250, 2, -ECANCELED],
    ]);
    expect(sim.platform.events.length).toBe(0);
    const again = sys.irq_create(T0 + 3, IRQ_PERIODIC, 40);
    submit(t, port, { userData: 3, opcode: OP_IRQ_WAIT, fd: again });
    await sim.advance(100);
    expect(log[2]).toMatchObject({ at: 290, result: 1 });
  });

  it("a late platform timer is caught up with the exact count", async () => {
    const { sim, t, port, sys } = setup();
    const irq = sys.irq_create(T0, IRQ_PERIODIC, 100);
    // make the platform late: hold back the line's first expiry to t=450
    const events = sim.platform.events as unknown as { heap: { time: number; cb: unknown }[] };
    const ev = events.heap.find((e) => e.cb !== null && e.time === 100);
    expect(ev).toBeDefined();
    (ev as { time: number }).time = 450;
    const out = t.alloc(16);
    const log = collect(sim, t, port);
    submit(t, port, { userData: 1, opcode: OP_IRQ_WAIT, fd: irq, bufAddr: out, bufLen: 16 });
    await sim.advance(460);
    expect(log).toMatchObject([{ at: 450, result: 4 }]);
    expect(decodeIrqEvent(t.view, out)).toEqual({ timestampNs: 100n, count: 4, level: 0 });
    submit(t, port, { userData: 2, opcode: OP_IRQ_WAIT, fd: irq });
    await sim.advance(100);
    expect(log[1]).toMatchObject({ at: 500, result: 1 });
  });
});
