/**
 * GPIO edges from the native capture (drivers/moddable/capture.ts) on the
 * host: the IrqCapture C module is replaced at the hardware boundary by a
 * fake that delivers what the ISR would (count, first and last time as the
 * low 32 bits of the µs timer, level). Checked: the backend's choice by the
 * board, pulls, batches to the kernel with the first edge's 64-bit time,
 * and that a batch of n through `raiseBatch` completes exactly as n raises.
 */
import { describe, expect, it } from "vitest";
import { decodeCompletion, decodeIrqEvent, encodeSubmission, IRQ_FALLING, IRQ_RISING, IOSQE_MULTISHOT, OP_IRQ_WAIT, type IrqSink } from "../core/index.js";
import { CaptureGpio, DigitalGpio, ModdablePlatform, type IrqCaptureClass } from "../drivers/moddable/index.js";
import { loadBoard, Simulator } from "../host-sim/index.js";
import { FakePins, FakeWorld } from "./fakes/moddable.js";

type OnEdges = (count: number, firstUs: number, lastUs: number, level: number) => void;

/** The ISR's side, faked: one record per open capture. */
function fakeCapture() {
  const open = new Map<number, { edges: number; pull: number; onEdges: OnEdges }>();
  const Capture: IrqCaptureClass = class {
    constructor(pin: number, edges: number, pull: number, onEdges: OnEdges) {
      if (open.has(pin)) throw new Error("pin already captured");
      open.set(pin, { edges, pull, onEdges });
      this.close = () => void open.delete(pin);
    }
    close: () => void;
  };
  return { Capture, open };
}

describe("GPIO from the native capture (drivers/moddable/capture.ts)", () => {
  it("is the platform's backend unless the board asks for ECMA-419 Digital", () => {
    const world = new FakeWorld();
    const pins = new FakePins(world);
    const { Capture } = fakeCapture();
    const base = { io: { Digital: pins.makeClass() }, Timer: world.timers, microseconds: world.microseconds, irqCapture: Capture };
    const pico = loadBoard("pico");
    expect(new ModdablePlatform({ ...base, board: pico }).gpio).toBeInstanceOf(CaptureGpio);
    expect(new ModdablePlatform({ ...base, board: { ...pico, moddable: { ...pico.moddable, irq: "digital" } } }).gpio).toBeInstanceOf(DigitalGpio);
    const { irqCapture: _none, ...noCapture } = base;
    expect(new ModdablePlatform({ ...noCapture, board: pico }).gpio).toBeInstanceOf(DigitalGpio);
  });

  it("opens a capture with the edges and the board's pull; raises each batch once, at its first edge's 64-bit time", () => {
    const world = new FakeWorld();
    const pins = new FakePins(world);
    const { Capture, open } = fakeCapture();
    const digital = new DigitalGpio(pins.makeClass(), 30, () => world.us * 1000);
    const g = new CaptureGpio(Capture, digital, world.microseconds, { 14: "up" });
    const batches: [number, number, number][] = [];
    const sink: IrqSink = { raise: () => expect.unreachable("a batch is one raiseBatch"), raiseBatch: (t, level, n) => batches.push([t, level, n]) };
    g.watch(14, IRQ_FALLING, sink);
    expect(open.get(14)).toMatchObject({ edges: IRQ_FALLING, pull: 1 });
    // the µs timer past 2^32: the ISR's 32-bit time is placed back on the 64-bit clock
    world.us = 2 ** 32 + 500;
    open.get(14)!.onEdges(3, 2 ** 32 - 100, 490, 0); // the first edge 600 µs ago, before the low 32 bits wrapped
    expect(batches).toEqual([[(2 ** 32 - 100) * 1000, 0, 3]]);
    expect(g.read(14)).toBe(0);
    g.unwatch(14);
    expect(open.has(14)).toBe(false);
  });

  it("without raiseBatch, raises the batch's edges one by one with alternating levels ending at the batch's", () => {
    const world = new FakeWorld();
    const { Capture, open } = fakeCapture();
    const g = new CaptureGpio(Capture, new DigitalGpio(new FakePins(world).makeClass(), 30, () => 0), world.microseconds);
    const raised: [number, number][] = [];
    g.watch(3, IRQ_RISING | IRQ_FALLING, { raise: (t, l) => raised.push([t, l]) });
    world.us = 1000;
    open.get(3)!.onEdges(3, 900, 950, 1);
    expect(raised).toEqual([[900_000, 1], [900_000, 0], [900_000, 1]]);
  });

  it("refuses to drive a watched pin (logged), and drives others through Digital", () => {
    const world = new FakeWorld();
    const pins = new FakePins(world);
    const { Capture } = fakeCapture();
    const logs: string[] = [];
    const g = new CaptureGpio(Capture, new DigitalGpio(pins.makeClass(), 30, () => 0), world.microseconds, {}, (m) => logs.push(m));
    g.watch(17, IRQ_RISING, { raise() {} });
    g.write(17, 1);
    expect(logs[0]).toMatch(/pin 17 is watched for edges and cannot be driven/);
    g.write(16, 1);
    expect(pins.levels.get(16)).toBe(1);
  });
});

describe("IrqLine.raiseBatch: a batch of n interrupts", () => {
  /** A line with a waiter on `port`; `armFirst`: the arm is queued before the interrupts come, else after (they latch). */
  function run(multishot: boolean, armFirst: boolean, inEntry: boolean, deliver: (line: { raise(t: number, l: number): void; raiseBatch(t: number, l: number, n: number): void }) => void) {
    const sim = new Simulator({ board: "sim-devkit" });
    const t = sim.spawn({ name: "t", memoryBytes: 4096 });
    const port = t.sys.io_create(0);
    const fd = t.sys.irq_create(3, IRQ_RISING | IRQ_FALLING);
    const sqe = t.alloc(48), cqe = t.alloc(24), ev = t.alloc(16);
    encodeSubmission(t.view, sqe, { userData: 9, opcode: OP_IRQ_WAIT, fd, bufAddr: ev, bufLen: 16, flags: multishot ? IOSQE_MULTISHOT : 0 });
    const got: number[] = [];
    t.sys.io_watch(port, cqe, 1, (n) => got.push(n));
    const line = sim.kernel.dev.lines.get(3)!;
    if (armFirst) t.sys.io_submit(port, sqe, 1);
    if (inEntry) sim.kernel.enter();
    deliver(line);
    if (inEntry) sim.kernel.leave();
    if (!armFirst) t.sys.io_submit(port, sqe, 1);
    return { got, cqe: decodeCompletion(t.view, cqe), ev: decodeIrqEvent(t.view, ev), total: line.total };
  }
  const batch = (line: { raiseBatch(t: number, l: number, n: number): void }) => line.raiseBatch(5000, 1, 3);

  for (const multishot of [false, true]) {
    const kind = multishot ? "multishot" : "one-shot";
    it(`${kind} arm queued: one completion counting 3, the first edge's time, the last level; the same on the fast path and inside a kernel entry`, () => {
      const fast = run(multishot, true, false, batch);
      expect(fast.got).toEqual([1]);
      expect(fast.cqe).toMatchObject({ userData: 9n, result: 3 });
      expect(fast.ev).toEqual({ timestampNs: 5000n, count: 3, level: 1 });
      expect(fast.total).toBe(3);
      expect(run(multishot, true, true, batch)).toEqual(fast);
    });

    it(`${kind} arm queued later: a batch latches as 3 raises latch`, () => {
      const raises = run(multishot, false, false, (line) => {
        for (const [t, l] of [[5000, 1], [6000, 0], [7000, 1]] as const) line.raise(t, l);
      });
      expect(run(multishot, false, false, batch)).toEqual(raises);
      expect(raises.ev).toEqual({ timestampNs: 5000n, count: 3, level: 1 });
    });
  }
});
