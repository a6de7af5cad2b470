import { describe, expect, it } from "vitest";
import { decodeCompletion, encodeSubmission, IRQ_PERIODIC, IRQ_TIMER_BASE, Kernel, OP_IRQ_WAIT, OP_TIMEOUT } from "../core/index.js";
import { ModdablePlatform, ModdableTimers } from "../drivers/moddable/index.js";
import { loadBoard } from "../host-sim/index.js";
import { FakePins, FakeSerialPort, FakeWorld } from "./fakes/moddable.js";

function timers() {
  const world = new FakeWorld();
  const t = new ModdableTimers(world.timers, () => world.us * 1000);
  return { world, t };
}

describe("Moddable platform timers (drivers/moddable/timers.ts)", () => {
  it("fire at their deadlines in deadline order, equal deadlines in scheduling order", () => {
    const { world, t } = timers();
    const fired: [string, number][] = [];
    const cb = (arg: unknown, now: number) => fired.push([arg as string, now]);
    t.schedule(5_000_000, cb, "c");
    t.schedule(2_000_000, cb, "a");
    t.schedule(5_000_000, cb, "d");
    t.schedule(2_000_000, cb, "b");
    world.advanceUs(1_999);
    expect(fired).toEqual([]);
    world.advanceUs(10_000);
    expect(fired.map((f) => f[0])).toEqual(["a", "b", "c", "d"]);
    expect(fired[0]![1]).toBeGreaterThanOrEqual(2_000_000);
    expect(fired[2]![1]).toBeGreaterThanOrEqual(5_000_000);
  });

  it("wake the main loop when armed earlier than before from outside their own callback, never from it", () => {
    const world = new FakeWorld();
    let wakes = 0;
    const t = new ModdableTimers(world.timers, () => world.us * 1000, () => wakes++);
    t.schedule(1_000_000_000, () => {}, null); // a heartbeat 1 s away: the loop may sleep until then
    expect(wakes).toBe(1);
    t.schedule(2_000_000_000, () => {}, null); // later than the armed deadline: the loop wakes in time anyway
    expect(wakes).toBe(1);
    t.schedule(5_000_000, () => {}, null); // earlier (from a pin or UART callback, say): wake the loop now
    expect(wakes).toBe(2);
    // a timer that schedules another from its callback: the loop recomputes its sleep after the timers ran
    t.schedule(6_000_000, () => t.schedule(7_000_000, () => {}, null), null);
    expect(wakes).toBe(2);
    world.advanceUs(6_500);
    expect(wakes).toBe(2);
    world.advanceUs(10_000);
    expect(wakes).toBe(2);
  });

  it("the platform passes its wake to the timers and to the UART's deferred step", () => {
    const world = new FakeWorld();
    let wakes = 0;
    const uart = new FakeSerialPort(world, 8);
    const p = new ModdablePlatform({
      board: loadBoard("pico"),
      io: { Digital: new FakePins(world).makeClass(), Serial: uart.makeClass() },
      Timer: world.timers,
      microseconds: world.microseconds,
      wake: () => wakes++,
    });
    p.schedule(world.us * 1000 + 3_000_000, () => {}, null);
    expect(wakes).toBe(1);
    const s = p.serial[0]!;
    let done = 0;
    s.connect({ receive: () => true, receiveBytes: (_d, n) => n, transmitDone: () => done++ });
    world.settle();
    const before = wakes;
    s.transmit(new Uint8Array([65]), 0, 1); // fits the FIFO: transmitDone is deferred to a 0 ms step
    expect(done).toBe(0);
    expect(wakes).toBe(before + 1);
    world.settle();
    expect(done).toBe(1);
  });

  it("use one host timer however many are live", () => {
    const { world, t } = timers();
    for (let i = 0; i < 100; i++) t.schedule((i + 1) * 1_000_000, () => {}, null);
    expect(world.timers.created).toBe(1);
    expect(t.size).toBe(100);
    world.advanceUs(200_000);
    expect(t.size).toBe(0);
    expect(world.timers.liveCount).toBe(1); // kept alive, unscheduled, for the next use
  });

  it("cancel removes a timer; a stale handle (fired, or its record reused) is a no-op", () => {
    const { world, t } = timers();
    const fired: string[] = [];
    const h1 = t.schedule(1_000_000, () => fired.push("one"), null);
    const h2 = t.schedule(2_000_000, () => fired.push("two"), null);
    t.cancel(h1);
    world.advanceUs(3_000);
    expect(fired).toEqual(["two"]);
    // h2's record is reused by the next schedule; the old handle must not cancel it
    const h3 = t.schedule(world.us * 1000 + 1_000_000, () => fired.push("three"), null);
    expect(h3).not.toBe(h2);
    t.cancel(h2);
    t.cancel(h1);
    t.cancel(0);
    world.advanceUs(2_000);
    expect(fired).toEqual(["two", "three"]);
  });

  it("never fire early, even when the host timer does", () => {
    const { world, t } = timers();
    world.timers.skewUs = -900; // the ms timer fires 0.9 ms before the µs clock says so
    let firedAt = -1;
    t.schedule(3_000_000, (_a, now) => (firedAt = now), null);
    world.advanceUs(2_500);
    expect(firedAt).toBe(-1);
    world.advanceUs(5_000);
    expect(firedAt).toBeGreaterThanOrEqual(3_000_000);
  });

  it("a timer scheduled from a callback for now fires on a later pass, not inside the callback", () => {
    const { world, t } = timers();
    const order: string[] = [];
    t.schedule(1_000_000, () => {
      order.push("first");
      t.schedule(0, () => order.push("second"), null);
      order.push("first done");
    }, null);
    world.advanceUs(1_000);
    expect(order).toEqual(["first", "first done", "second"]);
  });

  it("drive the kernel: OP_TIMEOUT and a periodic timer IRQ line complete on the Moddable platform", () => {
    const world = new FakeWorld();
    const pins = new FakePins(world);
    const platform = new ModdablePlatform({
      board: loadBoard("pico"),
      io: { Digital: pins.makeClass() },
      Timer: world.timers,
      microseconds: world.microseconds,
    });
    const kernel = new Kernel(platform);
    const task = kernel.spawn();
    const sys = task.sys;
    const port = sys.io_create(0);
    const line = sys.irq_create(IRQ_TIMER_BASE, IRQ_PERIODIC, 10_000_000);
    const sqes = task.alloc(96), cqes = task.alloc(48);
    encodeSubmission(task.view, sqes, { userData: 1, opcode: OP_TIMEOUT, timeoutNs: 25_000_000 });
    encodeSubmission(task.view, sqes + 48, { userData: 2, opcode: OP_IRQ_WAIT, fd: line });
    expect(sys.io_submit(port, sqes, 2)).toBe(2);
    const got: [bigint, number, number][] = [];
    const reap = (n: number) => {
      for (let i = 0; i < n; i++) {
        const c = decodeCompletion(task.view, cqes + 24 * i);
        got.push([c.userData, c.result, world.us]);
      }
    };
    expect(sys.io_wait_cb(port, cqes, 2, 1, 0, reap)).toBe(-115);
    world.advanceUs(12_000);
    expect(got).toEqual([[2n, 1, 10_000]]);
    expect(sys.io_wait_cb(port, cqes, 2, 1, 0, reap)).toBe(-115);
    world.advanceUs(20_000);
    expect(got[1]![0]).toBe(1n);
    expect(got[1]![1]).toBe(0);
    expect(got[1]![2]).toBeGreaterThanOrEqual(25_000);
    task.exit();
  });
});
