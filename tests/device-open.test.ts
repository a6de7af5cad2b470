import { describe, it, expect } from "vitest";
import { OP_READ, OP_WRITE, OPEN_TTY, EBADF, ECANCELED, EINVAL, EMFILE, ENOENT, KIND_DEVICE } from "../core/index.js";
import { collect, setup, submit } from "./dev-helpers.js";

describe("open() of device streams", () => {
  it("checks in the order -ENOENT, -EINVAL, -EMFILE", () => {
    const { sys } = setup();
    expect(sys.open("/dev/uart2", 0)).toBe(-ENOENT);
    expect(sys.open("/dev/uart2", 7)).toBe(-ENOENT);
    expect(sys.open("/dev/spi1")).toBe(-ENOENT);
    expect(sys.open("uart0")).toBe(-ENOENT);
    expect(sys.open(42 as unknown as string)).toBe(-ENOENT);
    expect(sys.open("/dev/uart0", 2)).toBe(-EINVAL);
    expect(sys.open("/dev/uart0", OPEN_TTY | 2)).toBe(-EINVAL);
    expect(sys.open("/dev/uart0", "0" as unknown as number)).toBe(-EINVAL);
    const fd = sys.open("/dev/uart0");
    expect(fd).toBeGreaterThanOrEqual(0);
    while (sys.dup(fd) >= 0);
    expect(sys.open("/dev/uart9", 0)).toBe(-ENOENT);
    expect(sys.open("/dev/spi0", OPEN_TTY)).toBe(-EINVAL); // terminal mode is for UARTs
    expect(sys.open("/dev/spi0", 0)).toBe(-EMFILE);
  });

  it("every board device opens; each open is a new object, dup shares it", () => {
    const { sim, t, sys } = setup();
    const live = sim.kernel.liveObjects;
    const a = sys.open("/dev/uart0");
    const b = sys.open("/dev/uart0");
    const c = sys.open("/dev/uart1");
    const d = sys.open("/dev/spi0");
    expect([a, b, c, d].every((x) => x >= 0)).toBe(true);
    expect(sim.kernel.liveObjects).toBe(live + 4);
    expect(t.get(a)).not.toBe(t.get(b));
    expect(t.get(a)?.kind).toBe(KIND_DEVICE);
    const e = sys.dup(a);
    expect(t.get(e)).toBe(t.get(a));
    expect(sim.kernel.liveObjects).toBe(live + 4);
    t.exit();
    expect(sim.kernel.liveObjects).toBe(0);
  });

  it("closing the last reference cancels that stream's reads and writes in submission order, not other streams'", async () => {
    const { sim, t, port, sys } = setup();
    const a = sys.open("/dev/uart0");
    const b = sys.open("/dev/uart0");
    const a2 = sys.dup(a);
    const buf = t.alloc(64);
    const log = collect(sim, t, port);
    submit(
      t,
      port,
      { userData: 1, opcode: OP_READ, fd: a, bufAddr: buf, bufLen: 4 },
      { userData: 2, opcode: OP_WRITE, fd: a, bufAddr: buf, bufLen: 4 },
      { userData: 3, opcode: OP_READ, fd: b, bufAddr: buf + 8, bufLen: 2 },
      { userData: 4, opcode: OP_READ, fd: a, bufAddr: buf + 16, bufLen: 4 },
      { userData: 5, opcode: OP_WRITE, fd: b, bufAddr: buf, bufLen: 2 },
    );
    sys.close(a);
    await sim.advance(0);
    expect(log).toEqual([]); // a2 still holds the stream
    sys.close(a2);
    await sim.advance(0);
    expect(log.map((c) => [Number(c.userData), c.result])).toEqual([
      [1, -ECANCELED],
      [2, -ECANCELED],
      [4, -ECANCELED],
    ]);
    sim.uart(0).inject("xy");
    await sim.advance(10_000_000);
    expect(log.slice(3).map((c) => [Number(c.userData), c.result])).toEqual([
      [5, 2],
      [3, 2],
    ]);
    expect(sys.close(a)).toBe(-EBADF);
  });

  it("a task's exit cancels everything and leaks nothing; buffered bytes stay with the device", async () => {
    const { sim, t, port, sys } = setup();
    const u = sys.open("/dev/uart1");
    const buf = t.alloc(16);
    submit(t, port, { userData: 1, opcode: OP_READ, fd: u, bufAddr: buf, bufLen: 16 });
    sim.uart(1).inject("abc");
    await sim.advance(50_000); // the first byte is in the read
    t.exit();
    expect(sim.kernel.liveObjects).toBe(0);
    expect(sys.open("/dev/uart1")).toBe(-1); // -EPERM after exit
    await sim.advance(1_000_000);
    const t2 = sim.spawn();
    const p2 = t2.sys.io_create(0);
    const u2 = t2.sys.open("/dev/uart1");
    const b2 = t2.alloc(16);
    const log = collect(sim, t2, p2);
    submit(t2, p2, { userData: 2, opcode: OP_READ, fd: u2, bufAddr: b2, bufLen: 16 });
    await sim.advance(0);
    expect(log).toMatchObject([{ result: 3 }]);
    expect(new TextDecoder().decode(t2.memory.subarray(b2, b2 + 3))).toBe("abc");
  });
});
