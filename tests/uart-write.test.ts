import { describe, it, expect } from "vitest";
import { OP_WRITE, ECANCELED, EFAULT } from "../core/index.js";
import { byteNs, collect, setup, submit } from "./dev-helpers.js";

const dec = (u: Uint8Array) => new TextDecoder().decode(u);

describe("OP_WRITE on a UART", () => {
  it("transmits at the baud rate: byte k at t0 + ceil(k·T), completion when the last is sent", async () => {
    const { sim, t, port, sys } = setup();
    const u = sys.open("/dev/uart0");
    const buf = t.alloc(8);
    t.memory.set(new TextEncoder().encode("hello"), buf);
    await sim.advance(777);
    const log = collect(sim, t, port);
    submit(t, port, { userData: 1, opcode: OP_WRITE, fd: u, bufAddr: buf, bufLen: 5 });
    t.memory.fill(0, buf, buf + 5); // copied at submit: later changes are not sent
    for (let k = 1; k <= 5; k++) {
      await sim.advance(777 + byteNs(k) - 1 - sim.now);
      expect(sim.uart(0).received().length).toBe(k - 1);
      await sim.advance(1);
      expect(sim.uart(0).received().length).toBe(k);
    }
    expect(dec(sim.uart(0).received())).toBe("hello");
    expect(log).toEqual([{ at: 777 + byteNs(5), userData: 1n, result: 5, flags: 0, opcode: OP_WRITE }]);
    expect(sim.uart(1).received().length).toBe(0);
  });

  it("queues writes across fds in submission order; each starts when the line is free", async () => {
    const { sim, t, port, sys } = setup();
    const a = sys.open("/dev/uart1");
    const b = sys.open("/dev/uart1");
    const buf = t.alloc(16);
    t.memory.set(new TextEncoder().encode("ABCxy"), buf);
    const log = collect(sim, t, port);
    submit(t, port, { userData: 1, opcode: OP_WRITE, fd: a, bufAddr: buf, bufLen: 3 }, { userData: 2, opcode: OP_WRITE, fd: b, bufAddr: buf + 3, bufLen: 2 });
    await sim.advance(10_000_000);
    const t1 = byteNs(3);
    expect(log.map((c) => [c.at, Number(c.userData), c.result])).toEqual([
      [t1, 1, 3],
      [t1 + byteNs(2), 2, 2],
    ]);
    expect(dec(sim.uart(1).received())).toBe("ABCxy");
  });

  it("a cancelled write stops at once; the next write starts at the cancel time", async () => {
    const { sim, t, port, sys } = setup();
    const u = sys.open("/dev/uart0");
    const buf = t.alloc(32);
    t.memory.set(new TextEncoder().encode("0123456789ab"), buf);
    const log = collect(sim, t, port);
    submit(t, port, { userData: 1, opcode: OP_WRITE, fd: u, bufAddr: buf, bufLen: 10 }, { userData: 2, opcode: OP_WRITE, fd: u, bufAddr: buf + 10, bufLen: 2 });
    const tc = byteNs(3) + 100; // "012" sent, "3" on the wire
    await sim.advance(tc);
    expect(sys.io_cancel(port, 1n)).toBe(1);
    await sim.advance(10_000_000);
    expect(log.map((c) => [c.at, Number(c.userData), c.result])).toEqual([
      [tc, 1, -ECANCELED],
      [tc + byteNs(2), 2, 2],
    ]);
    expect(dec(sim.uart(0).received())).toBe("012ab");
  });

  it("zero-length writes complete 0 at once; bad buffers -EFAULT", async () => {
    const { sim, t, port, sys } = setup({}, 4096);
    const u = sys.open("/dev/uart0");
    const log = collect(sim, t, port);
    submit(t, port, { userData: 1, opcode: OP_WRITE, fd: u, bufAddr: 0, bufLen: 0 }, { userData: 2, opcode: OP_WRITE, fd: u, bufAddr: 4000, bufLen: 200 });
    await sim.advance(0);
    expect(log.map((c) => [c.at, c.result])).toEqual([
      [0, 0],
      [0, -EFAULT],
    ]);
    expect(sim.uart(0).received().length).toBe(0);
  });

  it("closing the port mid-write stops the line and starts another port's write", async () => {
    const { sim, t, sys } = setup();
    const u = sys.open("/dev/uart0");
    const p1 = sys.io_create(0);
    const p2 = sys.io_create(0);
    const buf = t.alloc(16);
    t.memory.set(new TextEncoder().encode("aaaaZZ"), buf);
    const log = collect(sim, t, p2);
    submit(t, p1, { userData: 1, opcode: OP_WRITE, fd: u, bufAddr: buf, bufLen: 4 });
    submit(t, p2, { userData: 2, opcode: OP_WRITE, fd: u, bufAddr: buf + 4, bufLen: 2 });
    await sim.advance(byteNs(1) + 5);
    sys.close(p1);
    await sim.advance(10_000_000);
    expect(dec(sim.uart(0).received())).toBe("aZZ");
    expect(log).toMatchObject([{ at: byteNs(1) + 5 + byteNs(2), result: 2 }]);
  });
});
