// Regression (found by `ioport dst`, seeds 1 and 20): closing a port with
// several UART reads in flight cancelled them one by one; the first one's
// bytes were handed to the next read of the same closing port, which filled,
// "completed" on the closed port and was discarded — its bytes were lost.
// Every byte must go back to the device for the next reader (spec §9: a
// cancelled read's bytes go back to the front of the buffer).
import { describe, expect, it } from "vitest";
import { OP_READ } from "../core/index.js";
import { byteNs, bytes, collect, setup, submit } from "./dev-helpers.js";

describe("closing a port with several reads in flight", () => {
  it("loses no byte: the reads' bytes go to the next reader on another port", async () => {
    const { sim, t, port, sys } = setup();
    const uart = sys.open("/dev/uart0");
    const other = sys.io_create(0);
    const b1 = t.alloc(64);
    const b2 = t.alloc(64);
    const b3 = t.alloc(64);
    submit(t, port, { userData: 1, opcode: OP_READ, fd: uart, bufAddr: b1, bufLen: 64 });
    submit(t, port, { userData: 2, opcode: OP_READ, fd: uart, bufAddr: b2, bufLen: 3 });
    submit(t, other, { userData: 3, opcode: OP_READ, fd: uart, bufAddr: b3, bufLen: 64 });
    const log = collect(sim, t, other);
    sim.uart(0).inject("abcde");
    await sim.advance(byteNs(5)); // all five bytes are in read 1, which waits for the idle gap
    expect(sys.close(port)).toBe(0);
    await sim.advance(10_000_000);
    expect(log.map((c) => [Number(c.userData), c.result])).toEqual([[3, 5]]);
    expect(String.fromCharCode(...bytes(t, b3, 5))).toBe("abcde");
    expect(sim.kernel.dev.uarts[0]!.rxCount).toBe(0);
  });

  it("with no other reader, the bytes stay buffered for the next read", async () => {
    const { sim, t, port, sys } = setup();
    const uart = sys.open("/dev/uart0");
    const b1 = t.alloc(64);
    const b2 = t.alloc(64);
    submit(t, port, { userData: 1, opcode: OP_READ, fd: uart, bufAddr: b1, bufLen: 64 });
    submit(t, port, { userData: 2, opcode: OP_READ, fd: uart, bufAddr: b2, bufLen: 2 });
    sim.uart(0).inject("xyz");
    await sim.advance(byteNs(3));
    sys.close(port);
    expect(sim.kernel.dev.uarts[0]!.rxCount).toBe(3);
    const p2 = sys.io_create(0);
    const log = collect(sim, t, p2);
    const b3 = t.alloc(8);
    submit(t, p2, { userData: 9, opcode: OP_READ, fd: uart, bufAddr: b3, bufLen: 8 });
    await sim.advance(10_000_000);
    expect(log.map((c) => c.result)).toEqual([3]);
    expect(String.fromCharCode(...bytes(t, b3, 3))).toBe("xyz");
  });
});

describe("closing a port with several SPI transfers in flight", () => {
  it("aborts the active frame and never starts the queued ones on the device", async () => {
    const { OP_WRITE } = await import("../core/index.js");
    const { sim, t, port, sys } = setup();
    const frames: number[][] = [];
    sim.spi(0).attach({ transfer: (mosi) => (frames.push(Array.from(mosi)), mosi) });
    const spi = sys.open("/dev/spi0");
    const b = t.alloc(8);
    t.memory.set([1, 2, 3, 4], b);
    submit(t, port, { userData: 1, opcode: OP_WRITE, fd: spi, bufAddr: b, bufLen: 4 });
    submit(t, port, { userData: 2, opcode: OP_WRITE, fd: spi, bufAddr: b, bufLen: 2 });
    expect(frames).toEqual([[1, 2, 3, 4]]);
    sys.close(port);
    await sim.advance(1_000_000);
    expect(frames).toEqual([[1, 2, 3, 4]]);
  });
});
