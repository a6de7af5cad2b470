// Close and cancel, at the mechanism (spec §9, objects and close; issue 15):
// every op of a closing object completes -ECANCELED first, in submission
// order; only then is what they held released, and bytes given back serve
// only readers of other opens of the device. One case per object kind, each
// through a close, a port close or an exit, and where it says so with the
// object reached by fd passing (a message carrying the fd, ipc_send/recv).
//
// The first case is the repro: a UART stream with three reads in
// flight, bytes partly arrived for the first, and its last fd closed. The
// first read's bytes went back and filled the second read of the same
// stream, which completed with data before its own cancel came.
import { describe, expect, it } from "vitest";
import { ECANCELED, EPIPE, IRQ_RISING, IRQ_TIMER_BASE, IRQ_PERIODIC, OP_IPC_RECV, OP_IPC_SEND, OP_IRQ_WAIT, OP_READ, OP_RING_WAIT, OP_TRANSFER, OP_WRITE, encodeIpcMessage, type Task } from "../core/index.js";
import type { Simulator } from "../host-sim/index.js";
import { byteNs, bytes, collect, submit, type Logged } from "./dev-helpers.js";
import { channel, leakChecked } from "./ipc-helpers.js";

const sims = leakChecked();
const GAP = byteNs(2);

function ur(log: Logged[]): [number, number][] {
  return log.map((c) => [Number(c.userData), c.result]);
}

/** Passes `fd` of `from` to `to` in a message (ipc_send / ipc_recv over a fresh channel); returns `to`'s fd. */
async function pass(from: Task, fd: number, to: Task): Promise<number> {
  const [s, r] = channel(from, 1);
  from.sys.svc_register("pass", r);
  const rr = to.sys.svc_lookup("pass");
  from.sys.svc_unregister("pass");
  from.sys.close(r);
  const m = from.alloc(48);
  encodeIpcMessage(from.view, m, { tag: 7, fds: [fd, -1, -1, -1] });
  expect(await from.sys.ipc_send(s, m)).toBe(0);
  const got = to.alloc(48);
  expect(await to.sys.ipc_recv(rr, got)).toBe(0);
  from.sys.close(s);
  to.sys.close(rr);
  const nfd = to.view.getInt32(got + 32, true);
  expect(nfd).toBeGreaterThanOrEqual(0);
  return nfd;
}

function world(): { sim: Simulator; a: Task; b: Task } {
  const sim = sims();
  return { sim, a: sim.spawn({ name: "a" }), b: sim.spawn({ name: "b" }) };
}

describe("UART: a closing stream's reads all complete -ECANCELED before its bytes serve anyone", () => {
  it("close (the issue's repro): three reads of one stream, bytes partly in the first; another open's read gets them", async () => {
    const { sim, a } = world();
    const sys = a.sys;
    const p = sys.io_create(0);
    const s = sys.open("/dev/uart0");
    const t = sys.open("/dev/uart0");
    const log = collect(sim, a, p);
    const buf = [a.alloc(16), a.alloc(16), a.alloc(16), a.alloc(16)];
    submit(a, p, { userData: 1, opcode: OP_READ, fd: s, bufAddr: buf[0], bufLen: 16 });
    submit(a, p, { userData: 2, opcode: OP_READ, fd: s, bufAddr: buf[1], bufLen: 4 });
    submit(a, p, { userData: 3, opcode: OP_READ, fd: s, bufAddr: buf[2], bufLen: 4 });
    submit(a, p, { userData: 4, opcode: OP_READ, fd: t, bufAddr: buf[3], bufLen: 16 });
    sim.uart(0).inject("hello");
    await sim.advance(byteNs(5) + GAP / 2); // all five bytes sit in read 1, not yet idle for the gap
    expect(log).toEqual([]);
    expect(sys.close(s)).toBe(0);
    await sim.advance(GAP);
    // no read of the closed stream completes with data; the other open's read takes the bytes
    expect(ur(log)).toEqual([
      [1, -ECANCELED],
      [2, -ECANCELED],
      [3, -ECANCELED],
      [4, 5],
    ]);
    expect(String.fromCharCode(...bytes(a, buf[3]!, 5))).toBe("hello");
    sys.close(t);
  });

  it("exit, the stream reached by fd passing: the exiting task's reads on a shared port are cancelled in order first", async () => {
    const { sim, a, b } = world();
    const p = a.sys.io_create(0);
    const s = a.sys.open("/dev/uart0");
    const t = a.sys.open("/dev/uart0");
    const bs = await pass(a, s, b);
    const bp = await pass(a, p, b);
    a.sys.close(s); // b's fd is now the stream's last reference
    const log = collect(sim, a, p);
    const bb = b.alloc(16);
    submit(b, bp, { userData: 1, opcode: OP_READ, fd: bs, bufAddr: bb, bufLen: 16 });
    submit(b, bp, { userData: 2, opcode: OP_READ, fd: bs, bufAddr: bb, bufLen: 2 });
    const ab = a.alloc(16);
    submit(a, p, { userData: 3, opcode: OP_READ, fd: t, bufAddr: ab, bufLen: 16 });
    sim.uart(0).inject("xyz");
    await sim.advance(byteNs(3) + GAP / 2);
    b.exit();
    await sim.advance(GAP);
    expect(ur(log)).toEqual([
      [1, -ECANCELED],
      [2, -ECANCELED],
      [3, 3],
    ]);
    expect(String.fromCharCode(...bytes(a, ab, 3))).toBe("xyz");
    a.sys.close(t);
  });

  it("exit closes a port and two streams in one cascade: no read of the exiting task takes bytes, they stay buffered", async () => {
    const { sim, a } = world();
    const sys = a.sys;
    const p = sys.io_create(0);
    const s = sys.open("/dev/uart0");
    const t = sys.open("/dev/uart0");
    const b1 = a.alloc(16);
    submit(a, p, { userData: 1, opcode: OP_READ, fd: s, bufAddr: b1, bufLen: 16 });
    submit(a, p, { userData: 2, opcode: OP_READ, fd: t, bufAddr: b1, bufLen: 2 });
    sim.uart(0).inject("abc");
    await sim.advance(byteNs(3) + GAP / 2);
    a.exit();
    const dev = sim.kernel.dev.uarts[0]!;
    expect(dev.reads.length).toBe(0);
    expect(dev.buffered).toBe(3);
    sim.kernel.checkInvariants();
  });

  it("port close with reads on several streams: none of them is served what another gave back; a reader on another port is", async () => {
    const { sim, a } = world();
    const sys = a.sys;
    const p = sys.io_create(0);
    const q = sys.io_create(0);
    const s = sys.open("/dev/uart0");
    const t = sys.open("/dev/uart0");
    const u = sys.open("/dev/uart0");
    const logQ = collect(sim, a, q);
    const b = a.alloc(16);
    submit(a, p, { userData: 1, opcode: OP_READ, fd: s, bufAddr: b, bufLen: 16 });
    submit(a, p, { userData: 2, opcode: OP_READ, fd: t, bufAddr: b, bufLen: 1 });
    submit(a, p, { userData: 3, opcode: OP_READ, fd: s, bufAddr: b, bufLen: 1 });
    const qb = a.alloc(16);
    submit(a, q, { userData: 4, opcode: OP_READ, fd: u, bufAddr: qb, bufLen: 16 });
    sim.uart(0).inject("0123");
    await sim.advance(byteNs(4) + GAP / 2);
    expect(sys.close(p)).toBe(0);
    await sim.advance(GAP);
    expect(ur(logQ)).toEqual([[4, 4]]);
    expect(String.fromCharCode(...bytes(a, qb, 4))).toBe("0123");
    sim.kernel.checkInvariants();
  });

  it("io_cancel of several reads at once: every match is -ECANCELED before a later read takes the bytes", async () => {
    const { sim, a } = world();
    const sys = a.sys;
    const p = sys.io_create(0);
    const s = sys.open("/dev/uart0");
    const log = collect(sim, a, p);
    const b = a.alloc(16);
    submit(a, p, { userData: 9, opcode: OP_READ, fd: s, bufAddr: b, bufLen: 16 });
    submit(a, p, { userData: 9, opcode: OP_READ, fd: s, bufAddr: b, bufLen: 2 });
    submit(a, p, { userData: 5, opcode: OP_READ, fd: s, bufAddr: b, bufLen: 16 });
    sim.uart(0).inject("mn");
    await sim.advance(byteNs(2) + GAP / 2);
    expect(sys.io_cancel(p, 9)).toBe(2);
    await sim.advance(GAP);
    expect(ur(log)).toEqual([
      [9, -ECANCELED],
      [9, -ECANCELED],
      [5, 2],
    ]);
    expect(String.fromCharCode(...bytes(a, b, 2))).toBe("mn");
    sys.close(s);
  });

  it("close with writes in flight: both -ECANCELED before the other open's write, which alone follows on the wire", async () => {
    const { sim, a } = world();
    const sys = a.sys;
    const p = sys.io_create(0);
    const s = sys.open("/dev/uart0");
    const t = sys.open("/dev/uart0");
    const log = collect(sim, a, p);
    const w1 = a.alloc(8);
    const w2 = a.alloc(8);
    const w3 = a.alloc(8);
    a.memory.set([65, 66, 67, 68], w1);
    a.memory.set([69, 70], w2);
    a.memory.set([120, 121], w3);
    submit(a, p, { userData: 1, opcode: OP_WRITE, fd: s, bufAddr: w1, bufLen: 4 });
    submit(a, p, { userData: 2, opcode: OP_WRITE, fd: s, bufAddr: w2, bufLen: 2 });
    submit(a, p, { userData: 3, opcode: OP_WRITE, fd: t, bufAddr: w3, bufLen: 2 });
    await sim.advance(byteNs(2)); // "AB" on the wire
    expect(sys.close(s)).toBe(0);
    await sim.advance(byteNs(4));
    expect(ur(log)).toEqual([
      [1, -ECANCELED],
      [2, -ECANCELED],
      [3, 2],
    ]);
    expect(sim.uart(0).receivedText()).toBe("ABxy");
    sys.close(t);
  });
});

describe("SPI: a closing stream's transfers", () => {
  it("close: the active and the queued transfer complete -ECANCELED in order; the device never sees the queued one", async () => {
    const { sim, a } = world();
    const frames: number[][] = [];
    sim.spi(0).attach({ transfer: (mosi) => (frames.push([...mosi]), mosi) });
    const sys = a.sys;
    const p = sys.io_create(0);
    const s = sys.open("/dev/spi0");
    const t = sys.open("/dev/spi0");
    const log = collect(sim, a, p);
    const b = [a.alloc(8), a.alloc(8), a.alloc(8)];
    b.forEach((addr, i) => a.memory.set([i + 1, i + 1], addr));
    submit(a, p, { userData: 1, opcode: OP_TRANSFER, fd: s, bufAddr: b[0], bufLen: 2 });
    submit(a, p, { userData: 2, opcode: OP_WRITE, fd: s, bufAddr: b[1], bufLen: 2 });
    submit(a, p, { userData: 3, opcode: OP_TRANSFER, fd: t, bufAddr: b[2], bufLen: 2 });
    expect(frames).toEqual([[1, 1]]); // the first transfer is on the bus
    expect(sys.close(s)).toBe(0);
    await sim.advance(1_000_000);
    expect(ur(log)).toEqual([
      [1, -ECANCELED],
      [2, -ECANCELED],
      [3, 2],
    ]);
    expect(frames).toEqual([
      [1, 1],
      [3, 3],
    ]);
    sys.close(t);
  });

  it("exit of a task holding the stream by fd passing: same order, on the other task's port", async () => {
    const { sim, a, b } = world();
    const frames: number[][] = [];
    sim.spi(0).attach({ transfer: (mosi) => (frames.push([...mosi]), mosi) });
    const p = a.sys.io_create(0);
    const s = a.sys.open("/dev/spi0");
    const t = a.sys.open("/dev/spi0");
    const bs = await pass(a, s, b);
    const bp = await pass(a, p, b);
    a.sys.close(s);
    const log = collect(sim, a, p);
    const x = b.alloc(8);
    b.memory.set([9, 9], x);
    submit(b, bp, { userData: 1, opcode: OP_TRANSFER, fd: bs, bufAddr: x, bufLen: 2 });
    submit(b, bp, { userData: 2, opcode: OP_READ, fd: bs, bufAddr: x, bufLen: 2 });
    const y = a.alloc(8);
    a.memory.set([4, 4], y);
    submit(a, p, { userData: 3, opcode: OP_WRITE, fd: t, bufAddr: y, bufLen: 2 });
    b.exit();
    await sim.advance(1_000_000);
    expect(ur(log)).toEqual([
      [1, -ECANCELED],
      [2, -ECANCELED],
      [3, 2],
    ]);
    expect(frames).toEqual([
      [9, 9],
      [4, 4],
    ]);
    a.sys.close(t);
  });
});

describe("SPI: a closing port", () => {
  it("port close with transfers on two streams: none of them reaches the device; another port's transfer starts once they are gone", async () => {
    const { sim, a } = world();
    const frames: number[][] = [];
    sim.spi(0).attach({ transfer: (mosi) => (frames.push([...mosi]), mosi) });
    const sys = a.sys;
    const p = sys.io_create(0);
    const q = sys.io_create(0);
    const s = sys.open("/dev/spi0");
    const t = sys.open("/dev/spi0");
    const logQ = collect(sim, a, q);
    const b = [a.alloc(8), a.alloc(8), a.alloc(8), a.alloc(8)];
    b.forEach((addr, i) => a.memory.set([i + 1], addr));
    submit(a, p, { userData: 1, opcode: OP_WRITE, fd: s, bufAddr: b[0], bufLen: 1 });
    submit(a, p, { userData: 2, opcode: OP_WRITE, fd: t, bufAddr: b[1], bufLen: 1 });
    submit(a, p, { userData: 3, opcode: OP_WRITE, fd: s, bufAddr: b[2], bufLen: 1 });
    submit(a, q, { userData: 4, opcode: OP_WRITE, fd: t, bufAddr: b[3], bufLen: 1 });
    expect(sys.close(p)).toBe(0);
    await sim.advance(1_000_000);
    expect(frames).toEqual([[1], [4]]); // the first was on the bus already; 2 and 3 never start
    expect(ur(logQ)).toEqual([[4, 1]]);
    sys.close(s);
    sys.close(t);
  });
});

describe("channels: a closing recv end", () => {
  it("exit of the task holding it by fd passing: its armed receives complete -ECANCELED, in order", async () => {
    const { sim, a, b } = world();
    const p = a.sys.io_create(0);
    const [sfd, rfd] = channel(a, 0);
    const brfd = await pass(a, rfd, b);
    const bp = await pass(a, p, b);
    a.sys.close(rfd);
    const log = collect(sim, a, p);
    // b arms two receives on its recv end, through the shared port
    const rb = b.alloc(48);
    submit(b, bp, { userData: 1, opcode: OP_IPC_RECV, fd: brfd, bufAddr: rb });
    submit(b, bp, { userData: 2, opcode: OP_IPC_RECV, fd: brfd, bufAddr: rb });
    expect(log).toEqual([]);
    b.exit();
    await sim.advance(0);
    expect(ur(log)).toEqual([
      [1, -ECANCELED],
      [2, -ECANCELED],
    ]);
    a.sys.close(sfd);
  });

  it("close with parked sends carrying a stream with a read in flight: -EPIPEs first, then the stream's read -ECANCELED", async () => {
    const { sim, a } = world();
    const sys = a.sys;
    const p = sys.io_create(0);
    const [sfd, rfd] = channel(a, 0);
    const s = sys.open("/dev/uart0");
    const log = collect(sim, a, p);
    const b = a.alloc(16);
    submit(a, p, { userData: 1, opcode: OP_READ, fd: s, bufAddr: b, bufLen: 16 });
    const m1 = a.alloc(48);
    const m2 = a.alloc(48);
    encodeIpcMessage(a.view, m1, { tag: 1, fds: [s, -1, -1, -1] });
    encodeIpcMessage(a.view, m2, { tag: 2 });
    submit(a, p, { userData: 2, opcode: OP_IPC_SEND, fd: sfd, bufAddr: m1 });
    submit(a, p, { userData: 3, opcode: OP_IPC_SEND, fd: sfd, bufAddr: m2 });
    sys.close(s); // the parked message holds the stream's last reference
    expect(log).toEqual([]);
    expect(sys.close(rfd)).toBe(0);
    await sim.advance(0);
    expect(ur(log)).toEqual([
      [2, -EPIPE],
      [3, -EPIPE],
      [1, -ECANCELED],
    ]);
    sys.close(sfd);
  });
});

describe("channels: a closing port", () => {
  it("port close with a parked send carrying a stream: the stream's read on another port is -ECANCELED, its bytes serve the next reader there", async () => {
    const { sim, a } = world();
    const sys = a.sys;
    const p = sys.io_create(0);
    const q = sys.io_create(0);
    const [sfd, rfd] = channel(a, 0);
    const s = sys.open("/dev/uart0");
    const t = sys.open("/dev/uart0");
    const logQ = collect(sim, a, q);
    const b = a.alloc(16);
    const tb = a.alloc(16);
    submit(a, q, { userData: 1, opcode: OP_READ, fd: s, bufAddr: b, bufLen: 16 });
    submit(a, q, { userData: 2, opcode: OP_READ, fd: s, bufAddr: b, bufLen: 1 });
    submit(a, q, { userData: 3, opcode: OP_READ, fd: t, bufAddr: tb, bufLen: 16 });
    const m = a.alloc(48);
    encodeIpcMessage(a.view, m, { tag: 1, fds: [s, -1, -1, -1] });
    submit(a, p, { userData: 9, opcode: OP_IPC_SEND, fd: sfd, bufAddr: m });
    sys.close(s); // the parked message holds the stream's last reference
    sim.uart(0).inject("qr");
    await sim.advance(byteNs(2) + GAP / 2);
    expect(sys.close(p)).toBe(0); // cancels the send, whose message closes the stream
    await sim.advance(GAP);
    expect(ur(logQ)).toEqual([
      [1, -ECANCELED],
      [2, -ECANCELED],
      [3, 2],
    ]);
    expect(String.fromCharCode(...bytes(a, tb, 2))).toBe("qr");
    sys.close(t);
    sys.close(sfd);
    sys.close(rfd);
  });
});

describe("IRQ lines: a closing line", () => {
  it("exit of the task holding it by fd passing: its arms complete -ECANCELED in order, and the line can be claimed again", async () => {
    const { sim, a, b } = world();
    const p = a.sys.io_create(0);
    const line = a.sys.irq_create(3, IRQ_RISING);
    expect(line).toBeGreaterThanOrEqual(0);
    const bl = await pass(a, line, b);
    const bp = await pass(a, p, b);
    a.sys.close(line);
    const log = collect(sim, a, p);
    submit(b, bp, { userData: 1, opcode: OP_IRQ_WAIT, fd: bl }, { userData: 2, opcode: OP_IRQ_WAIT, fd: bl }, { userData: 3, opcode: OP_IRQ_WAIT, fd: bl });
    b.exit();
    await sim.advance(0);
    expect(ur(log)).toEqual([
      [1, -ECANCELED],
      [2, -ECANCELED],
      [3, -ECANCELED],
    ]);
    const again = a.sys.irq_create(3, IRQ_RISING);
    expect(again).toBeGreaterThanOrEqual(0);
    a.sys.close(again);
  });

  it("port close: a timer line's arms on the closing port go; the line stays claimed and counts, and an arm on another port gets every interrupt", async () => {
    const { sim, a } = world();
    const sys = a.sys;
    const p = sys.io_create(0);
    const q = sys.io_create(0);
    const line = sys.irq_create(IRQ_TIMER_BASE, IRQ_PERIODIC, 1_000_000);
    submit(a, p, { userData: 1, opcode: OP_IRQ_WAIT, fd: line }, { userData: 2, opcode: OP_IRQ_WAIT, fd: line });
    expect(sys.close(p)).toBe(0);
    sim.kernel.checkInvariants();
    await sim.advance(3_500_000);
    const log = collect(sim, a, q);
    submit(a, q, { userData: 3, opcode: OP_IRQ_WAIT, fd: line });
    await sim.advance(0);
    expect(ur(log)).toEqual([[3, 3]]);
    sys.close(line);
  });
});

describe("IRQ lines and notify objects: closed through a message", () => {
  it("a line whose last reference rides a parked send: closing the recv end fails the send -EPIPE, then the line's arms -ECANCELED in order", async () => {
    const { sim, a } = world();
    const sys = a.sys;
    const p = sys.io_create(0);
    const [sfd, rfd] = channel(a, 0);
    const line = sys.irq_create(5, IRQ_RISING);
    const log = collect(sim, a, p);
    submit(a, p, { userData: 1, opcode: OP_IRQ_WAIT, fd: line }, { userData: 2, opcode: OP_IRQ_WAIT, fd: line });
    const m = a.alloc(48);
    encodeIpcMessage(a.view, m, { tag: 1, fds: [line, -1, -1, -1] });
    submit(a, p, { userData: 3, opcode: OP_IPC_SEND, fd: sfd, bufAddr: m });
    sys.close(line);
    sys.close(rfd);
    await sim.advance(0);
    expect(ur(log)).toEqual([
      [3, -EPIPE],
      [1, -ECANCELED],
      [2, -ECANCELED],
    ]);
    sys.close(sfd);
  });
});

describe("notify objects: a closing notify", () => {
  it("exit of the task holding it by fd passing: its arms complete -ECANCELED in order; a later notify wakes nothing", async () => {
    const { sim, a, b } = world();
    const p = a.sys.io_create(0);
    const n = a.sys.notify_create(0);
    const bn = await pass(a, n, b);
    const bp = await pass(a, p, b);
    a.sys.close(n);
    const log = collect(sim, a, p);
    submit(b, bp, { userData: 1, opcode: OP_RING_WAIT, fd: bn }, { userData: 2, opcode: OP_RING_WAIT, fd: bn });
    b.exit();
    await sim.advance(0);
    expect(ur(log)).toEqual([
      [1, -ECANCELED],
      [2, -ECANCELED],
    ]);
    expect(sim.kernel.liveObjects).toBe(1); // the port alone
  });

  it("close through a message: a notify whose last reference rides a parked send is closed with the recv end; its arm follows the -EPIPE", async () => {
    const { sim, a } = world();
    const sys = a.sys;
    const p = sys.io_create(0);
    const [sfd, rfd] = channel(a, 0);
    const n = sys.notify_create(0);
    const log = collect(sim, a, p);
    submit(a, p, { userData: 1, opcode: OP_RING_WAIT, fd: n });
    const m = a.alloc(48);
    encodeIpcMessage(a.view, m, { tag: 1, fds: [n, -1, -1, -1] });
    submit(a, p, { userData: 2, opcode: OP_IPC_SEND, fd: sfd, bufAddr: m });
    sys.close(n);
    sys.close(rfd);
    await sim.advance(0);
    expect(ur(log)).toEqual([
      [2, -EPIPE],
      [1, -ECANCELED],
    ]);
    sys.close(sfd);
  });
});
