// A cancelled read's bytes go back to the front of the input (spec §9
// Simulated devices), and no byte is lost or reordered on the way — two
// cases `ioport dst` found (seed 2783) that the plain cancel tests missed:
// - more bytes than the receive ring has room for, with no read to take
//   them (they were dropped and counted as an overrun);
// - a give-back that completes a read of a port that is itself closing,
//   whose bytes are given back in turn while the first give-back is still
//   placing its own (they came out in the wrong order).
import { describe, expect, it } from "vitest";
import { ECANCELED, OP_IPC_SEND, OP_READ, encodeIpcMessage } from "../core/index.js";
import { byteNs, bytes, collect, setup, submit } from "./dev-helpers.js";

const GAP = byteNs(2);

describe("a cancelled read's bytes, given back", () => {
  it("more bytes than the ring holds, no read pending: none lost, in order, no overflow reported", async () => {
    const { sim, t, port, sys } = setup();
    const u = sys.open("/dev/uart0");
    const ring = sim.kernel.dev.uarts[0]!.rxLimit;
    const n = ring + 44;
    const data = Array.from({ length: n }, (_, i) => (i * 7 + 1) & 0xff);
    const buf = t.alloc(1024);
    const log = collect(sim, t, port);
    submit(t, port, { userData: 1, opcode: OP_READ, fd: u, bufAddr: buf, bufLen: 1024 });
    sim.uart(0).inject(data);
    await sim.advance(byteNs(n) + GAP / 2); // every byte is in the read; the line is not yet idle for the gap
    expect(log).toEqual([]);
    expect(sys.io_cancel(port, 1n)).toBe(1);
    await sim.advance(0);
    expect(log).toMatchObject([{ userData: 1n, result: -ECANCELED }]);
    expect(sim.kernel.dev.uarts[0]!.buffered).toBe(n);
    expect(sim.uart(0).overruns).toBe(0);
    submit(t, port, { userData: 2, opcode: OP_READ, fd: u, bufAddr: buf, bufLen: 1024 });
    await sim.advance(GAP); // it completes once the line has been idle for the gap
    expect(log[1]).toMatchObject({ userData: 2n, result: n }); // not -EOVERFLOW
    expect(bytes(t, buf, n)).toEqual(data);
    // new arrivals still stop at the board's ring size
    sim.uart(0).inject(new Uint8Array(ring + 10));
    await sim.advance(byteNs(ring + 10) + GAP);
    expect(sim.kernel.dev.uarts[0]!.buffered).toBe(ring);
    expect(sim.uart(0).overruns).toBe(10);
  });

  it("a give-back that completes a read of a closing port: the bytes stay in order", async () => {
    const { sim, t, sys } = setup();
    const u = sys.open("/dev/uart0");
    const p = sys.io_create(0);
    const q = sys.io_create(0);
    const bufA = t.alloc(64);
    const bufB = t.alloc(4);
    // P's read takes "0123456789"; Q's read (4 bytes) waits behind it
    submit(t, p, { userData: 1, opcode: OP_READ, fd: u, bufAddr: bufA, bufLen: 64 });
    submit(t, q, { userData: 2, opcode: OP_READ, fd: u, bufAddr: bufB, bufLen: 4 });
    sim.uart(0).inject("0123456789");
    await sim.advance(byteNs(10) + GAP / 2);
    // Q also parks a send whose message carries the last reference to P
    const fds = t.alloc(8);
    expect(sys.ipc_create(fds, 0, 0)).toBe(0);
    const [sfd, rfd] = [t.view.getInt32(fds, true), t.view.getInt32(fds + 4, true)];
    const m = t.alloc(48);
    encodeIpcMessage(t.view, m, { tag: 1, fds: [p, -1, -1, -1] });
    submit(t, q, { userData: 3, opcode: OP_IPC_SEND, fd: sfd, bufAddr: m });
    expect(sys.close(p)).toBe(0);
    // closing Q cancels its read, then its send, which closes P, whose read
    // gives its ten bytes back. (Before close became one cancel cascade, Q's
    // read — then still pending — took four, completed on the closing Q and
    // gave them back in turn, in the wrong order; now the bytes wait for the
    // cascade's end, when no read of Q is left.)
    expect(sys.close(q)).toBe(0);
    await sim.advance(0);
    expect(sim.kernel.dev.uarts[0]!.buffered).toBe(10);
    const r = sys.io_create(0);
    const log = collect(sim, t, r);
    const buf = t.alloc(16);
    submit(t, r, { userData: 4, opcode: OP_READ, fd: u, bufAddr: buf, bufLen: 16 });
    await sim.advance(GAP);
    expect(log).toMatchObject([{ userData: 4n, result: 10 }]);
    expect(String.fromCharCode(...bytes(t, buf, 10))).toBe("0123456789");
    sys.close(sfd);
    sys.close(rfd);
  });
});
