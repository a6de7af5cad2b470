import { describe, it, expect } from "vitest";
import { OP_READ, EBADF, EFAULT, EOVERFLOW } from "../core/index.js";
import { byteNs, bytes, collect, setup, submit } from "./dev-helpers.js";

describe("UART receive overflow", () => {
  it("drops and counts bytes past the 256-byte buffer; the next read reports -EOVERFLOW once, later reads get what is buffered", async () => {
    const { sim, t, port, sys } = setup();
    const u = sys.open("/dev/uart0");
    const data = Array.from({ length: 300 }, (_, i) => i & 0xff);
    sim.uart(0).inject(data);
    await sim.advance(byteNs(300) + byteNs(2));
    expect(sim.uart(0).overruns).toBe(44);
    expect(sim.kernel.dev.uarts[0]?.overruns).toBe(44);
    const buf = t.alloc(512);
    t.memory.fill(0xee, buf, buf + 512);
    const log = collect(sim, t, port);
    submit(
      t,
      port,
      { userData: 1, opcode: OP_READ, fd: u, bufAddr: buf, bufLen: 512 },
      { userData: 2, opcode: OP_READ, fd: u, bufAddr: buf, bufLen: 512 },
    );
    await sim.advance(0);
    expect(log.map((c) => [Number(c.userData), c.result])).toEqual([
      [1, -EOVERFLOW],
      [2, 256],
    ]);
    expect(bytes(t, buf, 256)).toEqual(data.slice(0, 256));
    expect(t.memory[buf + 256]).toBe(0xee);
    // reported once only
    sim.uart(0).inject([1, 2]);
    submit(t, port, { userData: 3, opcode: OP_READ, fd: u, bufAddr: buf, bufLen: 8 });
    await sim.advance(10_000_000);
    expect(log[2]).toMatchObject({ userData: 3n, result: 2 });
  });

  it("zero-length, faulting and wrong-fd reads do not use up the report", async () => {
    const { sim, t, port, sys } = setup({}, 8192);
    const u = sys.open("/dev/uart1");
    sim.uart(1).inject(new Uint8Array(257));
    await sim.advance(byteNs(257));
    const log = collect(sim, t, port);
    const buf = t.alloc(8);
    submit(
      t,
      port,
      { userData: 1, opcode: OP_READ, fd: u, bufAddr: 0, bufLen: 0 },
      { userData: 2, opcode: OP_READ, fd: u, bufAddr: 8190, bufLen: 4 },
      { userData: 3, opcode: OP_READ, fd: port, bufAddr: buf, bufLen: 4 },
      { userData: 4, opcode: OP_READ, fd: u, bufAddr: buf, bufLen: 4 },
      { userData: 5, opcode: OP_READ, fd: u, bufAddr: buf, bufLen: 4 },
    );
    await sim.advance(0);
    expect(log.map((c) => [Number(c.userData), c.result])).toEqual([
      [1, 0],
      [2, -EFAULT],
      [3, -EBADF],
      [4, -EOVERFLOW],
      [5, 4],
    ]);
  });

  it("never overflows while a read is pending to take the bytes", async () => {
    const { sim, t, port, sys } = setup();
    const u = sys.open("/dev/uart0");
    const buf = t.alloc(64);
    let total = 0;
    const log = collect(sim, t, port);
    const sqe = { opcode: OP_READ, fd: u, bufAddr: buf, bufLen: 64 };
    submit(t, port, { userData: 0, ...sqe });
    sim.uart(0).inject(new Uint8Array(2000).fill(0x41));
    for (let i = 1; total < 2000; i++) {
      await sim.advance(100_000);
      while (log.length > 0) {
        const c = log.shift() as { result: number };
        expect(c.result).toBeGreaterThan(0);
        total += c.result;
        submit(t, port, { userData: i, ...sqe });
      }
    }
    expect(total).toBe(2000);
    expect(sim.uart(0).overruns).toBe(0);
  });
});
