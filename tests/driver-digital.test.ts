import { describe, expect, it } from "vitest";
import { decodeCompletion, decodeIrqEvent, encodeSubmission, IRQ_FALLING, IRQ_RISING, Kernel, OP_IRQ_WAIT, type IrqSink } from "../core/index.js";
import { DigitalGpio, ModdablePlatform } from "../drivers/moddable/index.js";
import { loadBoard } from "../host-sim/index.js";
import { FakePins, FakeWorld } from "./fakes/moddable.js";

function gpio(opts: { pulls?: Record<number, "up" | "down" | "none"> } = {}) {
  const world = new FakeWorld();
  const pins = new FakePins(world);
  const logs: string[] = [];
  const g = new DigitalGpio(pins.makeClass(), 30, () => world.us * 1000, { ...opts, log: (m) => logs.push(m) });
  const raised: [number, number][] = [];
  const sink: IrqSink = { raise: (now, level) => raised.push([now, level]) };
  return { world, pins, g, logs, raised, sink };
}

describe("GPIO on ECMA-419 Digital (drivers/moddable/digital.ts)", () => {
  it("watch opens an input with the edges asked for and the board's pull", () => {
    const { pins, g, sink } = gpio({ pulls: { 14: "up" } });
    g.watch(14, IRQ_FALLING, sink);
    g.watch(17, IRQ_RISING | IRQ_FALLING, sink);
    const [a, b] = pins.instances;
    expect(a!.options).toMatchObject({ pin: 14, mode: "InputPullUp", edge: 2 });
    expect(b!.options).toMatchObject({ pin: 17, mode: "Input", edge: 3 });
  });

  it("raises once per callback, timestamped with the clock when the callback runs, with the level read then", () => {
    const { world, pins, g, raised, sink } = gpio();
    g.watch(5, IRQ_RISING | IRQ_FALLING, sink);
    world.us = 100;
    pins.drive(5, 1);
    world.us = 157; // the callback runs 57 µs after the edge (spec §10)
    world.settle();
    world.us = 300;
    pins.drive(5, 0);
    world.settle();
    expect(raised).toEqual([[157_000, 1], [300_000, 0]]);
  });

  it("merged edges: a pulse shorter than the callback latency is counted as two edges", () => {
    const { world, pins, g, raised, sink } = gpio();
    g.watch(5, IRQ_RISING | IRQ_FALLING, sink);
    pins.drive(5, 1);
    pins.drive(5, 0); // both edges before JS runs: one onReadable, level back at 0
    world.us = 60;
    world.settle();
    expect(raised).toEqual([[60_000, 1], [60_000, 0]]);
    expect(g.mergedCallbacks).toBe(1);
    expect(g.edgesRaised).toBe(2);
  });

  it("with one edge watched, merged edges are one interrupt (the documented lower bound)", () => {
    const { world, pins, g, raised, sink } = gpio();
    g.watch(5, IRQ_RISING, sink);
    for (let i = 0; i < 3; i++) {
      pins.drive(5, 1);
      pins.drive(5, 0);
    }
    world.settle();
    expect(raised.length).toBe(1);
  });

  it("unwatch mutes the input without closing it (the Pico's close bug): no more callbacks", () => {
    const { world, pins, g, raised, sink } = gpio();
    g.watch(5, IRQ_RISING, sink);
    pins.drive(5, 1);
    g.unwatch(5);
    world.settle();
    pins.drive(5, 0);
    pins.drive(5, 1);
    world.settle();
    expect(raised).toEqual([]);
    expect(pins.instances.length).toBe(1);
    expect(pins.instances[0]!.closed).toBe(false);
  });

  it("watching a muted pin again with the same edges unmutes the same Digital; other edges re-open it", () => {
    const { world, pins, g, raised, sink } = gpio();
    g.watch(5, IRQ_RISING, sink);
    g.unwatch(5);
    g.watch(5, IRQ_RISING, sink);
    expect(pins.instances.length).toBe(1);
    pins.drive(5, 1);
    world.settle();
    expect(raised.length).toBe(1);
    g.unwatch(5);
    g.watch(5, IRQ_RISING | IRQ_FALLING, sink);
    expect(pins.instances.length).toBe(2);
    expect(pins.instances[0]!.closed).toBe(true);
    pins.drive(5, 0);
    world.settle();
    expect(raised.length).toBe(2);
  });

  it("a muted pin driven as an output is closed first, with a log line", () => {
    const { pins, g, logs, sink } = gpio();
    g.watch(5, IRQ_RISING, sink);
    g.unwatch(5);
    g.write(5, 1);
    expect(pins.instances[0]!.closed).toBe(true);
    expect(pins.instances[1]!.options.mode).toBe("Output");
    expect(logs.some((l) => l.includes("was watched for edges"))).toBe(true);
  });

  it("write opens an output once and drives it; read gives what was written", () => {
    const { pins, g } = gpio();
    g.write(25, 1);
    g.write(25, 0);
    g.write(25, 1);
    expect(pins.instances.length).toBe(1);
    expect(pins.instances[0]!.options.mode).toBe("Output");
    expect(pins.instances[0]!.writes).toEqual([1, 0, 1]);
    expect(g.read(25)).toBe(1);
  });

  it("read of an idle pin opens it as an input; a later write turns it into an output", () => {
    const { pins, g } = gpio();
    pins.levels.set(3, 1);
    expect(g.read(3)).toBe(1);
    g.write(3, 0);
    expect(pins.instances[0]!.closed).toBe(true);
    expect(pins.instances[1]!.options.mode).toBe("Output");
    expect(g.read(3)).toBe(0);
  });

  it("a watched pin is not driven (logged once); a reserved pin is logged, never thrown", () => {
    const { pins, g, logs, sink } = gpio();
    g.watch(5, IRQ_RISING, sink);
    g.write(5, 1);
    g.write(5, 0);
    expect(logs.filter((l) => l.includes("pin 5 is watched")).length).toBe(1);
    pins.reserved.add(9);
    expect(() => g.write(9, 1)).not.toThrow();
    expect(() => g.watch(9, IRQ_RISING, sink)).not.toThrow();
    expect(g.read(9)).toBe(0);
    expect(logs.some((l) => l.includes("cannot drive pin 9"))).toBe(true);
  });

  it("end to end: the loopback jumper through the kernel — OP_IRQ_WAIT with count and IrqEvent", () => {
    const world = new FakeWorld();
    const pins = new FakePins(world);
    const board = loadBoard("pico");
    const platform = new ModdablePlatform({ board, io: { Digital: pins.makeClass() }, Timer: world.timers, microseconds: world.microseconds });
    const kernel = new Kernel(platform);
    const t = kernel.spawn();
    const port = t.sys.io_create(0);
    const lb = board.loopback!;
    const irq = t.sys.irq_create(lb.in, IRQ_RISING | IRQ_FALLING);
    const sqe = t.alloc(48), cqe = t.alloc(24), ev = t.alloc(16);
    encodeSubmission(t.view, sqe, { userData: 7, opcode: OP_IRQ_WAIT, fd: irq, bufAddr: ev, bufLen: 16 });
    t.sys.io_submit(port, sqe, 1);
    let n = -1;
    expect(t.sys.io_wait_cb(port, cqe, 1, 1, 0, (k) => (n = k))).toBe(-115);
    world.us = 1000;
    t.sys.gpio_write(lb.out, 1); // the fake jumper: the output drives the input
    pins.drive(lb.in, pins.levels.get(lb.out)!);
    expect(n).toBe(-1); // nothing on the interrupt path runs user code synchronously
    world.us = 1057;
    world.settle();
    expect(n).toBe(1);
    expect(decodeCompletion(t.view, cqe)).toMatchObject({ userData: 7n, result: 1 });
    expect(decodeIrqEvent(t.view, ev)).toEqual({ timestampNs: 1_057_000n, count: 1, level: 1 });
    t.exit();
  });
});
