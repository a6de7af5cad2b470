import { describe, it, expect } from "vitest";
import { OP_READ, OP_WRITE, OP_TRANSFER, EBADF, ECANCELED, EFAULT } from "../core/index.js";
import type { SpiDevice } from "../host-sim/index.js";
import type { Simulator } from "../host-sim/index.js";
import { bytes, collect, setup, submit } from "./dev-helpers.js";

/** ceil(n·8·1e9/hz) at the sim-devkit's 1 MHz: 8 µs a byte. */
const dur = (n: number) => n * 8000;

class Recorder implements SpiDevice {
  readonly frames: { at: number; mosi: number[] }[] = [];
  constructor(
    private readonly sim: Simulator,
    private readonly answer: (mosi: Uint8Array) => ArrayLike<number> = (m) => m.map((b) => b ^ 0x5a),
  ) {}
  transfer(mosi: Uint8Array): ArrayLike<number> {
    this.frames.push({ at: this.sim.now, mosi: Array.from(mosi) });
    return this.answer(mosi);
  }
}

describe("SPI streams", () => {
  it("OP_WRITE takes ceil(n·8·1e9/hz); the device sees the frame when it starts", async () => {
    const { sim, t, port, sys } = setup();
    const dev = new Recorder(sim);
    sim.spi(0).attach(dev);
    const s = sys.open("/dev/spi0");
    const buf = t.alloc(8);
    t.memory.set([1, 2, 3, 4], buf);
    await sim.advance(100);
    const log = collect(sim, t, port);
    submit(t, port, { userData: 1, opcode: OP_WRITE, fd: s, bufAddr: buf, bufLen: 4 });
    t.memory.fill(9, buf, buf + 4); // copied at submit
    await sim.advance(1_000_000);
    expect(dev.frames).toEqual([{ at: 100, mosi: [1, 2, 3, 4] }]);
    expect(log).toEqual([{ at: 100 + dur(4), userData: 1n, result: 4, flags: 0, opcode: OP_WRITE }]);
    expect(bytes(t, buf, 4)).toEqual([9, 9, 9, 9]); // a write never writes back
  });

  it("OP_READ clocks out 0xFF and returns MISO at reap; no device reads 0xFF", async () => {
    const { sim, t, port, sys } = setup();
    const s = sys.open("/dev/spi0");
    const buf = t.alloc(8);
    const log = collect(sim, t, port);
    submit(t, port, { userData: 1, opcode: OP_READ, fd: s, bufAddr: buf, bufLen: 3 });
    await sim.advance(1_000_000);
    expect(log).toMatchObject([{ at: dur(3), result: 3 }]);
    expect(bytes(t, buf, 3)).toEqual([0xff, 0xff, 0xff]);
    const dev = new Recorder(sim, () => [0x10, 0x20]); // a short answer: the rest is 0xFF
    sim.spi(0).attach(dev);
    submit(t, port, { userData: 2, opcode: OP_READ, fd: s, bufAddr: buf, bufLen: 3 });
    await sim.advance(1_000_000);
    expect(dev.frames[0]?.mosi).toEqual([0xff, 0xff, 0xff]);
    expect(bytes(t, buf, 3)).toEqual([0x10, 0x20, 0xff]);
  });

  it("OP_TRANSFER is full duplex: received bytes are written over the buffer at reap time", async () => {
    const { sim, t, port, sys } = setup();
    const dev = new Recorder(sim);
    sim.spi(0).attach(dev);
    const s = sys.open("/dev/spi0");
    const buf = t.alloc(4);
    t.memory.set([0x00, 0x0f, 0xf0, 0xff], buf);
    expect(submit(t, port, { userData: 7, opcode: OP_TRANSFER, fd: s, bufAddr: buf, bufLen: 4 })).toBe(1);
    await sim.advance(dur(4));
    expect(bytes(t, buf, 4)).toEqual([0x00, 0x0f, 0xf0, 0xff]); // not reaped yet
    const out = t.alloc(24);
    expect(await sys.io_wait(port, out, 1, 1, 0)).toBe(1);
    expect(bytes(t, buf, 4)).toEqual([0x5a, 0x55, 0xaa, 0xa5]);
  });

  it("runs transfers one at a time in submission order across fds", async () => {
    const { sim, t, port, sys } = setup();
    const dev = new Recorder(sim);
    sim.spi(0).attach(dev);
    const a = sys.open("/dev/spi0");
    const b = sys.open("/dev/spi0");
    const buf = t.alloc(16);
    const log = collect(sim, t, port);
    submit(
      t,
      port,
      { userData: 1, opcode: OP_WRITE, fd: a, bufAddr: buf, bufLen: 2 },
      { userData: 2, opcode: OP_TRANSFER, fd: b, bufAddr: buf, bufLen: 5 },
      { userData: 3, opcode: OP_READ, fd: a, bufAddr: buf + 8, bufLen: 1 },
    );
    await sim.advance(1_000_000);
    expect(dev.frames.map((f) => f.at)).toEqual([0, dur(2), dur(7)]);
    expect(log.map((c) => [c.at, Number(c.userData), c.result])).toEqual([
      [dur(2), 1, 2],
      [dur(7), 2, 5],
      [dur(8), 3, 1],
    ]);
  });

  it("a cancelled transfer frees the bus at once; the next starts at the cancel time", async () => {
    const { sim, t, port, sys } = setup();
    const dev = new Recorder(sim);
    sim.spi(0).attach(dev);
    const s = sys.open("/dev/spi0");
    const buf = t.alloc(300);
    const log = collect(sim, t, port);
    submit(t, port, { userData: 1, opcode: OP_TRANSFER, fd: s, bufAddr: buf, bufLen: 256 }, { userData: 2, opcode: OP_WRITE, fd: s, bufAddr: buf, bufLen: 1 });
    await sim.advance(5000);
    expect(sys.io_cancel(port, 1n)).toBe(1);
    await sim.advance(1_000_000);
    expect(dev.frames.map((f) => f.at)).toEqual([0, 5000]);
    expect(log.map((c) => [c.at, Number(c.userData), c.result])).toEqual([
      [5000, 1, -ECANCELED],
      [5000 + dur(1), 2, 1],
    ]);
    expect(bytes(t, buf, 4)).toEqual([0, 0, 0, 0]); // a cancelled transfer writes nothing back
  });

  it("checks: OP_TRANSFER needs an SPI stream (-EBADF); zero length 0; bad buffer -EFAULT", async () => {
    const { sim, t, port, sys } = setup({}, 4096);
    const u = sys.open("/dev/uart0");
    const s = sys.open("/dev/spi0");
    const log = collect(sim, t, port);
    submit(
      t,
      port,
      { userData: 1, opcode: OP_TRANSFER, fd: u, bufAddr: 64, bufLen: 4 },
      { userData: 2, opcode: OP_TRANSFER, fd: port, bufAddr: 64, bufLen: 4 },
      { userData: 3, opcode: OP_TRANSFER, fd: s, bufAddr: 0, bufLen: 0 },
      { userData: 4, opcode: OP_TRANSFER, fd: s, bufAddr: 4095, bufLen: 2 },
      { userData: 5, opcode: OP_WRITE, fd: s, bufAddr: 0, bufLen: 1 },
      { userData: 6, opcode: OP_READ, fd: s, bufAddr: 0, bufLen: 0 },
    );
    await sim.advance(0);
    expect(log.map((c) => [Number(c.userData), c.result, c.opcode])).toEqual([
      [1, -EBADF, OP_TRANSFER],
      [2, -EBADF, OP_TRANSFER],
      [3, 0, OP_TRANSFER],
      [4, -EFAULT, OP_TRANSFER],
      [5, -EFAULT, OP_WRITE],
      [6, 0, OP_READ],
    ]);
    expect(sim.spi(0).transfers).toBe(0);
  });

  it("closing a stream cancels its own transfers only", async () => {
    const { sim, t, port, sys } = setup();
    const a = sys.open("/dev/spi0");
    const b = sys.open("/dev/spi0");
    const buf = t.alloc(16);
    const log = collect(sim, t, port);
    submit(
      t,
      port,
      { userData: 1, opcode: OP_WRITE, fd: a, bufAddr: buf, bufLen: 4 },
      { userData: 2, opcode: OP_WRITE, fd: b, bufAddr: buf, bufLen: 4 },
      { userData: 3, opcode: OP_WRITE, fd: a, bufAddr: buf, bufLen: 4 },
    );
    await sim.advance(1000);
    sys.close(a);
    await sim.advance(1_000_000);
    expect(log.map((c) => [c.at, Number(c.userData), c.result])).toEqual([
      [1000, 1, -ECANCELED],
      [1000, 3, -ECANCELED],
      [1000 + dur(4), 2, 4],
    ]);
  });
});
