import { describe, it, expect } from "vitest";
import { OP_READ, EBADF, ECANCELED, EFAULT, decodeCompletion } from "../core/index.js";
import { byteNs, bytes, collect, setup, submit } from "./dev-helpers.js";

const GAP = byteNs(2); // ceil(2T) at 115200 baud
const text = (u8: number[]) => String.fromCharCode(...u8);

describe("OP_READ on a UART", () => {
  it("uses the spec's exact integer byte times", () => {
    expect(byteNs(1)).toBe(86806);
    expect(GAP).toBe(173612);
    const { sim } = setup();
    expect(sim.uart(0).byteTime(1_000_000_007)).toBe(byteNs(1_000_000_007));
  });

  it("completes when the buffer is full, at the arrival of its last byte; data is copied at reap time", async () => {
    const { sim, t, port, sys } = setup();
    const u = sys.open("/dev/uart0");
    const buf = t.alloc(4);
    await sim.advance(1000);
    expect(submit(t, port, { userData: 1, opcode: OP_READ, fd: u, bufAddr: buf, bufLen: 4 })).toBe(1);
    sim.uart(0).inject("abcdef");
    await sim.advance(byteNs(4) - 1);
    const out = t.alloc(24);
    expect(await sys.io_wait(port, out, 1, 0, 0)).toBe(0);
    await sim.advance(1);
    expect(sim.now).toBe(1000 + byteNs(4));
    expect(bytes(t, buf, 4)).toEqual([0, 0, 0, 0]); // not yet reaped
    expect(await sys.io_wait(port, out, 1, 1, 0)).toBe(1);
    expect(decodeCompletion(t.view, out)).toEqual({ userData: 1n, result: 4, flags: 0, opcode: OP_READ });
    expect(text(bytes(t, buf, 4))).toBe("abcd");
  });

  it("a partial read completes at t_last + ceil(2T)", async () => {
    const { sim, t, port, sys } = setup();
    const u = sys.open("/dev/uart0");
    const buf = t.alloc(16);
    const log = collect(sim, t, port);
    submit(t, port, { userData: 1, opcode: OP_READ, fd: u, bufAddr: buf, bufLen: 16 });
    sim.at(5000, () => sim.uart(0).inject("xyz"));
    await sim.advance(10_000_000);
    expect(log).toEqual([{ at: 5000 + byteNs(3) + GAP, userData: 1n, result: 3, flags: 0, opcode: OP_READ }]);
    expect(text(bytes(t, buf, 3))).toBe("xyz");
  });

  it("keeps bytes with no read pending; a read after an idle line completes at once, one during a burst waits", async () => {
    const { sim, t, port, sys } = setup();
    const u = sys.open("/dev/uart0");
    const buf = t.alloc(64);
    const log = collect(sim, t, port);
    sim.uart(0).inject("hello");
    await sim.advance(byteNs(5) + GAP);
    expect(sim.kernel.dev.uarts[0]?.buffered).toBe(5);
    submit(t, port, { userData: 1, opcode: OP_READ, fd: u, bufAddr: buf, bufLen: 3 }, { userData: 2, opcode: OP_READ, fd: u, bufAddr: buf + 3, bufLen: 10 });
    await sim.advance(0);
    expect(log.map((c) => [c.at, Number(c.userData), c.result])).toEqual([
      [byteNs(5) + GAP, 1, 3],
      [byteNs(5) + GAP, 2, 2],
    ]);
    expect(text(bytes(t, buf, 5))).toBe("hello");
    // during a burst: takes what is buffered, then collects the rest
    const t1 = sim.now;
    sim.uart(0).inject("0123456789");
    await sim.advance(byteNs(4));
    submit(t, port, { userData: 3, opcode: OP_READ, fd: u, bufAddr: buf, bufLen: 32 });
    await sim.advance(10_000_000);
    expect(log[2]).toEqual({ at: t1 + byteNs(10) + GAP, userData: 3n, result: 10, flags: 0, opcode: OP_READ });
    expect(text(bytes(t, buf, 10))).toBe("0123456789");
  });

  it("serves reads in submission order across all fds on the device", async () => {
    const { sim, t, port, sys } = setup();
    const a = sys.open("/dev/uart0");
    const b = sys.open("/dev/uart0");
    const buf = t.alloc(64);
    const log = collect(sim, t, port);
    submit(
      t,
      port,
      { userData: 1, opcode: OP_READ, fd: a, bufAddr: buf, bufLen: 2 },
      { userData: 2, opcode: OP_READ, fd: b, bufAddr: buf + 8, bufLen: 2 },
      { userData: 3, opcode: OP_READ, fd: a, bufAddr: buf + 16, bufLen: 2 },
    );
    sim.uart(0).inject("abcdef");
    await sim.advance(10_000_000);
    expect(log.map((c) => [c.at, Number(c.userData)])).toEqual([
      [byteNs(2), 1],
      [byteNs(4), 2],
      [byteNs(6), 3],
    ]);
    expect(text(bytes(t, buf, 2)) + text(bytes(t, buf + 8, 2)) + text(bytes(t, buf + 16, 2))).toBe("abcdef");
  });

  it("an inject while a burst is arriving starts when that burst's last byte arrives", async () => {
    const { sim, t, port, sys } = setup();
    const u = sys.open("/dev/uart0");
    const buf = t.alloc(8);
    const log = collect(sim, t, port);
    submit(t, port, ...[1, 2, 3, 4].map((i) => ({ userData: i, opcode: OP_READ, fd: u, bufAddr: buf + i, bufLen: 1 })));
    sim.uart(0).inject("ab");
    sim.at(100, () => sim.uart(0).inject("cd")); // "ab" still arriving
    await sim.advance(10_000_000);
    const tb = byteNs(2);
    expect(log.map((c) => c.at)).toEqual([byteNs(1), byteNs(2), tb + byteNs(1), tb + byteNs(2)]);
    expect(text(bytes(t, buf + 1, 4))).toBe("abcd");
  });

  it("at t_last + ceil(2T) the read completes before a byte arriving at that same instant is taken", async () => {
    const { sim, t, port, sys } = setup();
    const u = sys.open("/dev/uart0");
    const buf = t.alloc(32);
    const tLast = byteNs(2);
    // scheduled first, so at the shared instant the byte's event runs before the idle timer
    sim.at(tLast + GAP - byteNs(1), () => sim.uart(0).inject("c"));
    const log = collect(sim, t, port);
    submit(t, port, { userData: 1, opcode: OP_READ, fd: u, bufAddr: buf, bufLen: 16 }, { userData: 2, opcode: OP_READ, fd: u, bufAddr: buf + 16, bufLen: 16 });
    sim.uart(0).inject("ab");
    await sim.advance(10_000_000);
    expect(log.map((c) => [c.at, Number(c.userData), c.result])).toEqual([
      [tLast + GAP, 1, 2],
      [tLast + GAP + GAP, 2, 1],
    ]);
    expect(text(bytes(t, buf, 2)) + text(bytes(t, buf + 16, 1))).toBe("abc");
  });

  it("a cancelled read's bytes go back to the front of the buffer", async () => {
    const { sim, t, port, sys } = setup();
    const u = sys.open("/dev/uart0");
    const buf = t.alloc(32);
    const log = collect(sim, t, port);
    submit(t, port, { userData: 1, opcode: OP_READ, fd: u, bufAddr: buf, bufLen: 16 });
    sim.uart(0).inject("abcdef");
    await sim.advance(byteNs(3)); // "abc" are in the read
    expect(sys.io_cancel(port, 1n)).toBe(1);
    await sim.advance(byteNs(6) - byteNs(3) + GAP);
    expect(log).toMatchObject([{ userData: 1n, result: -ECANCELED }]);
    expect(bytes(t, buf, 3)).toEqual([0, 0, 0]);
    submit(t, port, { userData: 2, opcode: OP_READ, fd: u, bufAddr: buf, bufLen: 16 });
    await sim.advance(0);
    expect(log[1]).toMatchObject({ userData: 2n, result: 6 });
    expect(text(bytes(t, buf, 6))).toBe("abcdef");
  });

  it("a cancelled read hands its bytes to the next pending read", async () => {
    const { sim, t, port, sys } = setup();
    const u = sys.open("/dev/uart0");
    const buf = t.alloc(32);
    const log = collect(sim, t, port);
    submit(t, port, { userData: 1, opcode: OP_READ, fd: u, bufAddr: buf, bufLen: 8 }, { userData: 2, opcode: OP_READ, fd: u, bufAddr: buf + 8, bufLen: 2 });
    sim.uart(0).inject("abcde");
    await sim.advance(byteNs(3));
    sys.io_cancel(port, 1n);
    await sim.advance(10_000_000);
    // read 2 is filled at once from the returned bytes; "c" and later go on
    expect(log.map((c) => [Number(c.userData), c.result])).toEqual([
      [1, -ECANCELED],
      [2, 2],
    ]);
    expect(text(bytes(t, buf + 8, 2))).toBe("ab");
    expect(sim.kernel.dev.uarts[0]?.buffered).toBe(3);
  });

  it("zero-length reads complete 0 at once without checking the buffer; bad buffers give -EFAULT; non-devices -EBADF", async () => {
    const { sim, t, port, sys } = setup({}, 4096);
    const u = sys.open("/dev/uart0");
    const log = collect(sim, t, port);
    submit(
      t,
      port,
      { userData: 1, opcode: OP_READ, fd: u, bufAddr: 0, bufLen: 0 },
      { userData: 2, opcode: OP_READ, fd: u, bufAddr: 0, bufLen: 4 },
      { userData: 3, opcode: OP_READ, fd: u, bufAddr: 4090, bufLen: 7 },
      { userData: 4, opcode: OP_READ, fd: port, bufAddr: 64, bufLen: 4 },
      { userData: 5, opcode: OP_READ, fd: 50, bufAddr: 0, bufLen: 0 },
    );
    await sim.advance(0);
    expect(log.map((c) => [Number(c.userData), c.result])).toEqual([
      [1, 0],
      [2, -EFAULT],
      [3, -EFAULT],
      [4, -EBADF],
      [5, -EBADF],
    ]);
  });

  it("a read larger than the receive buffer takes a long burst without overflow", async () => {
    const { sim, t, port, sys } = setup();
    const u = sys.open("/dev/uart1");
    const buf = t.alloc(1000);
    const log = collect(sim, t, port);
    submit(t, port, { userData: 1, opcode: OP_READ, fd: u, bufAddr: buf, bufLen: 1000 });
    const data = Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff);
    sim.uart(1).inject(data);
    await sim.advance(byteNs(1000));
    expect(log).toMatchObject([{ at: byteNs(1000), result: 1000 }]);
    expect(bytes(t, buf, 1000)).toEqual(data);
    expect(sim.uart(1).overruns).toBe(0);
  });

  it("inject takes a string as UTF-8", async () => {
    const { sim, t, port, sys } = setup();
    const u = sys.open("/dev/uart0");
    const buf = t.alloc(8);
    collect(sim, t, port);
    submit(t, port, { userData: 1, opcode: OP_READ, fd: u, bufAddr: buf, bufLen: 8 });
    sim.uart(0).inject("é€");
    await sim.advance(10_000_000);
    expect(bytes(t, buf, 5)).toEqual([0xc3, 0xa9, 0xe2, 0x82, 0xac]);
  });
});
