import { describe, expect, it } from "vitest";
import { decodeCompletion, encodeSubmission, Kernel, OP_READ, OP_TRANSFER, OP_WRITE } from "../core/index.js";
import { ModdablePlatform } from "../drivers/moddable/index.js";
import { loadBoard } from "../host-sim/index.js";
import { FakePins, FakeSpiBus, FakeWorld } from "./fakes/moddable.js";

function rig() {
  const world = new FakeWorld();
  const pins = new FakePins(world);
  const bus = new FakeSpiBus(world);
  const platform = new ModdablePlatform({
    board: loadBoard("pico"),
    io: { Digital: pins.makeClass(), SPI: bus.makeClass() },
    Timer: world.timers,
    microseconds: world.microseconds,
  });
  const kernel = new Kernel(platform);
  const t = kernel.spawn();
  const port = t.sys.io_create(0);
  const fd = t.sys.open("/dev/spi0");
  const cqes = t.alloc(24 * 8);
  const got: [bigint, number][] = [];
  const wait = () => {
    const cb = (n: number) => {
      for (let i = 0; i < n; i++) {
        const c = decodeCompletion(t.view, cqes + 24 * i);
        got.push([c.userData, c.result]);
      }
      wait();
    };
    const n = t.sys.io_wait_cb(port, cqes, 8, 1, 0, cb);
    if (n >= 0) cb(n);
  };
  const submit = (ud: number, opcode: number, bytes: number[]) => {
    const buf = t.alloc(Math.max(1, bytes.length));
    t.memory.set(bytes, buf);
    const sqe = t.alloc(48);
    encodeSubmission(t.view, sqe, { userData: ud, opcode, fd, bufAddr: buf, bufLen: bytes.length });
    expect(t.sys.io_submit(port, sqe, 1)).toBe(1);
    return buf;
  };
  return { world, bus, t, fd, got, wait, submit };
}

describe("SPI on ECMA-419 SPI (drivers/moddable/spi.ts)", () => {
  it("opens the bus with the board's pins, clock and mode", () => {
    const { bus } = rig();
    expect(bus.instance!.options).toEqual({ clock: 2, out: 3, in: 4, select: 5, hz: 1_000_000, mode: 0, port: 0 });
  });

  it("runs transfers from a deferred step: nothing is clocked inside io_submit", () => {
    const { world, bus, got, wait, submit } = rig();
    wait();
    submit(1, OP_WRITE, [0x06]);
    expect(bus.frames).toEqual([]);
    expect(got).toEqual([]);
    world.settle();
    expect(bus.frames).toEqual([[0x06]]);
    expect(got).toEqual([[1n, 1]]);
  });

  it("one chip-select frame per transfer, in submission order; MISO lands in the buffer at reap", () => {
    const { world, bus, t, got, wait, submit } = rig();
    wait();
    const a = submit(1, OP_TRANSFER, [0x9f, 0, 0, 0]);
    submit(2, OP_WRITE, [0x02, 0x10]);
    const c = submit(3, OP_READ, [0, 0]);
    world.settle();
    expect(bus.frames).toEqual([[0x9f, 0, 0, 0], [0x02, 0x10], [0xff, 0xff]]);
    expect(bus.instance!.flushes).toBe(3);
    expect(got).toEqual([[1n, 4], [2n, 2], [3n, 2]]);
    expect(Array.from(t.memory.subarray(a, a + 4))).toEqual([0x60, 0xff, 0xff, 0xff]);
    expect(Array.from(t.memory.subarray(c, c + 2))).toEqual([0x00, 0x00]);
  });

  it("closing the stream before the step withdraws the transfer: nothing is clocked", () => {
    const { world, bus, t, fd, got, wait, submit } = rig();
    wait();
    submit(1, OP_WRITE, [1, 2, 3]);
    submit(2, OP_WRITE, [4]);
    t.sys.close(fd);
    world.settle();
    expect(bus.frames).toEqual([]);
    expect(got).toEqual([[1n, -125], [2n, -125]]);
  });
});
