import { describe, it, expect } from "vitest";
import {
  OP_IRQ_WAIT,
  OP_READ,
  IRQ_RISING,
  IRQ_FALLING,
  IRQ_PERIODIC,
  EBADF,
  EBUSY,
  ECANCELED,
  EFAULT,
  EINVAL,
  EMFILE,
  ENODEV,
  decodeIrqEvent,
  decodeCompletion,
} from "../core/index.js";
import { collect, setup, submit } from "./dev-helpers.js";

describe("irq_create on GPIO lines", () => {
  it("checks in the order -ENODEV, -EINVAL, -EBUSY, -EMFILE", () => {
    const { sys } = setup();
    expect(sys.irq_create(32, IRQ_RISING)).toBe(-ENODEV);
    expect(sys.irq_create(-1, IRQ_RISING)).toBe(-ENODEV);
    expect(sys.irq_create(1.5, IRQ_RISING)).toBe(-ENODEV);
    expect(sys.irq_create("3" as unknown as number, IRQ_RISING)).toBe(-ENODEV);
    expect(sys.irq_create(32, 0)).toBe(-ENODEV); // unknown line before bad flags
    expect(sys.irq_create(3, 0)).toBe(-EINVAL);
    expect(sys.irq_create(3, 4)).toBe(-EINVAL);
    expect(sys.irq_create(3, 7)).toBe(-EINVAL);
    expect(sys.irq_create(3, IRQ_RISING, 1000)).toBe(-EINVAL);
    const fd = sys.irq_create(3, IRQ_RISING, 0);
    expect(fd).toBeGreaterThanOrEqual(0);
    expect(sys.irq_create(3, 0)).toBe(-EINVAL); // bad flags before busy
    expect(sys.irq_create(3, IRQ_FALLING)).toBe(-EBUSY);
    // fill the fd table
    while (sys.dup(fd) >= 0);
    expect(sys.irq_create(3, IRQ_RISING)).toBe(-EBUSY); // busy before EMFILE
    expect(sys.irq_create(4, IRQ_RISING)).toBe(-EMFILE);
    expect(sys.irq_create(40, IRQ_RISING)).toBe(-ENODEV);
  });

  it("counts only the selected edges; driving the current level is not an edge", async () => {
    const { sim, t, port, sys } = setup();
    const rise = sys.irq_create(1, IRQ_RISING);
    const fall = sys.irq_create(2, IRQ_FALLING);
    const both = sys.irq_create(3, IRQ_RISING | IRQ_FALLING);
    for (const pin of [1, 2, 3]) {
      sim.gpio(pin).drive(0); // already 0: nothing
      sim.gpio(pin).drive(1);
      sim.gpio(pin).drive(1); // nothing
      sim.gpio(pin).drive(0);
      sim.gpio(pin).drive(1);
    }
    const log = collect(sim, t, port);
    submit(t, port, { userData: 1, opcode: OP_IRQ_WAIT, fd: rise }, { userData: 2, opcode: OP_IRQ_WAIT, fd: fall }, { userData: 3, opcode: OP_IRQ_WAIT, fd: both });
    await sim.advance(0);
    expect(log.map((c) => [Number(c.userData), c.result])).toEqual([
      [1, 2],
      [2, 1],
      [3, 3],
    ]);
    expect(sim.gpio(3).level).toBe(1);
  });

  it("latches unarmed interrupts: the next arm completes at once with the count and an IrqEvent of the first", async () => {
    const { sim, t, port, sys } = setup();
    const irq = sys.irq_create(5, IRQ_RISING | IRQ_FALLING);
    sim.at(10, () => sim.gpio(5).drive(1));
    sim.at(20, () => sim.gpio(5).drive(0));
    sim.at(35, () => sim.gpio(5).drive(1));
    await sim.advance(100);
    const ev = t.alloc(16);
    t.memory.fill(0xaa, ev, ev + 16);
    expect(submit(t, port, { userData: 7, opcode: OP_IRQ_WAIT, fd: irq, bufAddr: ev, bufLen: 16 })).toBe(1);
    // completed at once, but the event is copied only at reap time
    expect(t.memory[ev]).toBe(0xaa);
    const out = t.alloc(24);
    expect(await t.sys.io_wait(port, out, 1, 0, 0)).toBe(1);
    expect(decodeCompletion(t.view, out)).toEqual({ userData: 7n, result: 3, flags: 0, opcode: OP_IRQ_WAIT });
    expect(decodeIrqEvent(t.view, ev)).toEqual({ timestampNs: 10n, count: 3, level: 1 });
  });

  it("IrqEvent timestamps past 2^32 ns (4.3 s of uptime) keep every bit, aligned or not", async () => {
    const { sim, t, port, sys } = setup();
    const line = sys.irq_create(5, IRQ_RISING);
    await sim.advance(7_000_000_123);
    sim.gpio(5).drive(1);
    const aligned = t.alloc(16, 8);
    const odd = t.alloc(17, 8) + 1;
    submit(t, port, { opcode: OP_IRQ_WAIT, fd: line, bufAddr: aligned, bufLen: 16, userData: 1 });
    await sim.advance(1000);
    sim.gpio(5).drive(0);
    sim.gpio(5).drive(1);
    submit(t, port, { opcode: OP_IRQ_WAIT, fd: line, bufAddr: odd, bufLen: 16, userData: 2 });
    const out = t.alloc(48);
    expect(await sys.io_wait(port, out, 2, 2, 0)).toBe(2);
    expect(decodeIrqEvent(t.view, aligned)).toEqual({ timestampNs: 7_000_000_123n, count: 1, level: 1 });
    expect(decodeIrqEvent(t.view, odd)).toEqual({ timestampNs: 7_000_001_123n, count: 1, level: 1 });
  });

  it("an armed line completes at the edge's virtual time; the next completion counts from there", async () => {
    const { sim, t, port, sys } = setup();
    const irq = sys.irq_create(6, IRQ_FALLING);
    const ev = t.alloc(16);
    const log = collect(sim, t, port);
    submit(t, port, { userData: 1, opcode: OP_IRQ_WAIT, fd: irq, bufAddr: ev, bufLen: 16 });
    sim.at(1000, () => sim.gpio(6).drive(1));
    sim.at(2500, () => sim.gpio(6).drive(0));
    sim.at(4000, () => sim.gpio(6).drive(1));
    sim.at(4100, () => sim.gpio(6).drive(0));
    sim.at(4200, () => sim.gpio(6).drive(1));
    sim.at(4300, () => sim.gpio(6).drive(0));
    await sim.advance(5000);
    expect(log).toEqual([{ at: 2500, userData: 1n, result: 1, flags: 0, opcode: OP_IRQ_WAIT }]);
    expect(decodeIrqEvent(t.view, ev)).toEqual({ timestampNs: 2500n, count: 1, level: 0 });
    submit(t, port, { userData: 2, opcode: OP_IRQ_WAIT, fd: irq, bufAddr: ev, bufLen: 32 });
    await sim.advance(0);
    expect(log[1]).toMatchObject({ at: 5000, userData: 2n, result: 2 });
    expect(decodeIrqEvent(t.view, ev)).toEqual({ timestampNs: 4100n, count: 2, level: 0 });
  });

  it("serves several arms in FIFO order, one interrupt each", async () => {
    const { sim, t, port, sys } = setup();
    const irq = sys.irq_create(7, IRQ_RISING | IRQ_FALLING);
    const log = collect(sim, t, port);
    submit(t, port, ...[1, 2, 3].map((u) => ({ userData: u, opcode: OP_IRQ_WAIT, fd: irq })));
    sim.at(100, () => sim.gpio(7).drive(1));
    sim.at(200, () => sim.gpio(7).drive(0));
    await sim.advance(300);
    expect(log.map((c) => [c.at, Number(c.userData), c.result])).toEqual([
      [100, 1, 1],
      [200, 2, 1],
    ]);
    sim.gpio(7).drive(1);
    await sim.advance(0);
    expect(log.map((c) => Number(c.userData))).toEqual([1, 2, 3]);
  });

  it("checks the entry: -EBADF, then -EINVAL (buf_len < 16) before -EFAULT", async () => {
    const { sim, t, port, sys } = setup({}, 4096);
    const irq = sys.irq_create(8, IRQ_RISING);
    const u = sys.open("/dev/uart0", 0);
    const log = collect(sim, t, port);
    submit(
      t,
      port,
      { userData: 1, opcode: OP_IRQ_WAIT, fd: port },
      { userData: 2, opcode: OP_IRQ_WAIT, fd: u },
      { userData: 3, opcode: OP_IRQ_WAIT, fd: 63 },
      { userData: 4, opcode: OP_IRQ_WAIT, fd: irq, bufAddr: 100000, bufLen: 15 },
      { userData: 5, opcode: OP_IRQ_WAIT, fd: irq, bufAddr: 4090, bufLen: 16 },
      { userData: 6, opcode: OP_IRQ_WAIT, fd: irq, bufAddr: 2n ** 40n as unknown as number, bufLen: 16 },
      { userData: 7, opcode: OP_READ, fd: irq, bufAddr: 64, bufLen: 4 },
      { userData: 8, opcode: OP_IRQ_WAIT, fd: irq, bufAddr: 0, bufLen: 3 },
    );
    await sim.advance(0);
    expect(log.map((c) => [Number(c.userData), c.result])).toEqual([
      [1, -EBADF],
      [2, -EBADF],
      [3, -EBADF],
      [4, -EINVAL],
      [5, -EFAULT],
      [6, -EFAULT],
      [7, -EBADF],
    ]);
    sim.gpio(8).drive(1);
    await sim.advance(0);
    expect(log[7]).toMatchObject({ userData: 8n, result: 1 }); // no buffer: fine
  });

  it("close releases the line and cancels the arms -ECANCELED in FIFO order; the line can be claimed again", async () => {
    const { sim, t, port, sys, } = setup();
    const before = sim.kernel.liveObjects;
    const irq = sys.irq_create(9, IRQ_RISING);
    const ev = t.alloc(16);
    t.memory.fill(0x55, ev, ev + 16);
    const log = collect(sim, t, port);
    submit(t, port, { userData: 1, opcode: OP_IRQ_WAIT, fd: irq, bufAddr: ev, bufLen: 16 }, { userData: 2, opcode: OP_IRQ_WAIT, fd: irq });
    const dup = sys.dup(irq);
    expect(sys.close(irq)).toBe(0); // one of two references: nothing changes
    await sim.advance(0);
    expect(log).toEqual([]);
    expect(sys.irq_create(9, IRQ_RISING)).toBe(-EBUSY);
    expect(sys.close(dup)).toBe(0);
    await sim.advance(0);
    expect(log.map((c) => [Number(c.userData), c.result])).toEqual([
      [1, -ECANCELED],
      [2, -ECANCELED],
    ]);
    expect(t.memory[ev]).toBe(0x55); // no event written for a cancelled arm
    expect(sim.kernel.liveObjects).toBe(before);
    sim.gpio(9).drive(1); // nobody is watching
    const again = sys.irq_create(9, IRQ_RISING);
    expect(again).toBeGreaterThanOrEqual(0);
    submit(t, port, { userData: 3, opcode: OP_IRQ_WAIT, fd: again });
    await sim.advance(10);
    expect(log.length).toBe(2); // the edge before the new claim is not counted
    sim.gpio(9).drive(0);
    sim.gpio(9).drive(1);
    await sim.advance(0);
    expect(log[2]).toMatchObject({ userData: 3n, result: 1 });
  });

  it("io_cancel cancels one arm; interrupts then go to the next arm", async () => {
    const { sim, t, port, sys } = setup();
    const irq = sys.irq_create(10, IRQ_RISING);
    const log = collect(sim, t, port);
    submit(t, port, { userData: 1, opcode: OP_IRQ_WAIT, fd: irq }, { userData: 2, opcode: OP_IRQ_WAIT, fd: irq });
    expect(sys.io_cancel(port, 1n)).toBe(1);
    sim.gpio(10).drive(1);
    await sim.advance(0);
    expect(log.map((c) => [Number(c.userData), c.result])).toEqual([
      [1, -ECANCELED],
      [2, 1],
    ]);
  });

  it("a port closed with arms pending leaves the line counting for the next arm", async () => {
    const { sim, t, sys } = setup();
    const irq = sys.irq_create(11, IRQ_RISING);
    const p1 = sys.io_create(0);
    submit(t, p1, { userData: 1, opcode: OP_IRQ_WAIT, fd: irq });
    sys.close(p1);
    sim.gpio(11).drive(1);
    const p2 = sys.io_create(0);
    const log = collect(sim, t, p2);
    submit(t, p2, { userData: 2, opcode: OP_IRQ_WAIT, fd: irq });
    await sim.advance(0);
    expect(log).toMatchObject([{ userData: 2n, result: 1 }]);
  });

  it("counts a burst of 10,000 edges while unarmed exactly: one completion, result 10000", async () => {
    const { sim, t, port, sys } = setup();
    const irq = sys.irq_create(12, IRQ_RISING);
    const ops = sim.kernel.opsAllocated;
    for (let i = 0; i < 10_000; i++) {
      sim.at(1000 + i * 100, () => sim.gpio(12).drive(1));
      sim.at(1000 + i * 100 + 50, () => sim.gpio(12).drive(0));
    }
    await sim.advance(2_000_000);
    expect(sim.kernel.opsAllocated).toBe(ops);
    const ev = t.alloc(16);
    const log = collect(sim, t, port);
    submit(t, port, { userData: 1, opcode: OP_IRQ_WAIT, fd: irq, bufAddr: ev, bufLen: 16 }, { userData: 2, opcode: OP_IRQ_WAIT, fd: irq });
    await sim.advance(1000);
    expect(log).toMatchObject([{ userData: 1n, result: 10_000 }]);
    expect(decodeIrqEvent(t.view, ev)).toEqual({ timestampNs: 1000n, count: 10_000, level: 1 });
    expect(sim.gpio(12).edges).toBe(20_000);
  });

  it("timer and GPIO lines are separate namespaces", () => {
    const { sys } = setup();
    expect(sys.irq_create(0, IRQ_PERIODIC, 1000)).toBe(-EINVAL); // GPIO pin 0 wants edge flags
    expect(sys.irq_create(0, IRQ_RISING)).toBeGreaterThanOrEqual(0);
  });
});

describe("GPIO outputs (gpio_write / gpio_read extension)", () => {
  it("a task drives an LED the test can see; the loopback wire raises the input's IRQ", async () => {
    const { sim, t, port, sys } = setup();
    const led = sim.board.led as number;
    expect(sim.gpio(led).level).toBe(0);
    expect(sys.gpio_write(led, 1)).toBe(0);
    expect(sim.gpio(led).level).toBe(1);
    expect(sim.gpio(led).isOutput).toBe(true);
    expect(sys.gpio_read(led)).toBe(1);
    expect(() => sim.gpio(led).drive(0)).toThrow(/output/);
    const lb = sim.board.loopback as { out: number; in: number };
    const irq = sys.irq_create(lb.in, IRQ_RISING | IRQ_FALLING);
    const log = collect(sim, t, port);
    submit(t, port, { userData: 1, opcode: OP_IRQ_WAIT, fd: irq });
    sim.at(500, () => sys.gpio_write(lb.out, 1));
    await sim.advance(1000);
    expect(log).toMatchObject([{ at: 500, result: 1 }]);
    expect(sim.gpio(lb.in).level).toBe(1);
  });

  it("rejects unknown pins and bad levels", () => {
    const { sim, sys } = setup();
    expect(sys.gpio_write(32, 1)).toBe(-ENODEV);
    expect(sys.gpio_write(2, 2)).toBe(-EINVAL);
    expect(sys.gpio_read(-1)).toBe(-ENODEV);
    sim.gpio(4).drive(1);
    expect(sys.gpio_read(4)).toBe(1);
    expect(() => sim.gpio(32)).toThrow(RangeError);
  });
});
