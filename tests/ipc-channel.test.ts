import { describe, expect, it } from "vitest";
import {
  EAGAIN,
  EBADF,
  ECANCELED,
  EFAULT,
  EINVAL,
  EMFILE,
  EPERM,
  EPIPE,
  IPC_NONBLOCK,
  IPC_MAX_CAPACITY,
  OP_IPC_RECV,
  OP_IPC_SEND,
  decodeIpcMessage,
  encodeIpcMessage,
} from "../core/index.js";
import { channel, leakChecked, poll, submit, ur } from "./ipc-helpers.js";

const newSim = leakChecked();

function msgAt(t: { alloc(n: number): number; view: DataView }, tag: number, data: (number | bigint)[] = [], fds: number[] = []): number {
  const a = t.alloc(48);
  encodeIpcMessage(t.view, a, { tag, data, fds });
  return a;
}

describe("ipc_create", () => {
  it("writes [send_fd, recv_fd] at the lowest free fds", () => {
    const sim = newSim();
    const t = sim.spawn();
    const out = t.alloc(8);
    expect(t.sys.ipc_create(out, 4, 0)).toBe(0);
    expect([t.view.getInt32(out, true), t.view.getInt32(out + 4, true)]).toEqual([0, 1]);
    expect(sim.kernel.liveObjects).toBe(2);
  });

  it("checks flags, capacity, range, then fd table space", () => {
    const sim = newSim();
    const t = sim.spawn({ memoryBytes: 256 });
    const out = t.alloc(8);
    expect(t.sys.ipc_create(out, 1, 1)).toBe(-EINVAL);
    expect(t.sys.ipc_create(0, 1, 1)).toBe(-EINVAL); // flags before the range
    expect(t.sys.ipc_create(out, -1, 0)).toBe(-EINVAL);
    expect(t.sys.ipc_create(out, 1.5, 0)).toBe(-EINVAL);
    expect(t.sys.ipc_create(out, IPC_MAX_CAPACITY + 1, 0)).toBe(-EINVAL);
    expect(t.sys.ipc_create(0, 1, 0)).toBe(-EFAULT);
    expect(t.sys.ipc_create(252, 1, 0)).toBe(-EFAULT);
    const n = t.sys.notify_create(0);
    for (let i = 1; i < 63; i++) expect(t.sys.dup(n)).toBe(i);
    // one fd free: not enough for two ends, and nothing is created
    const before = sim.kernel.liveObjects;
    expect(t.sys.ipc_create(out, 1, 0)).toBe(-EMFILE);
    expect(sim.kernel.liveObjects).toBe(before);
    expect(t.sys.ipc_create(out, IPC_MAX_CAPACITY, 0)).toBe(-EMFILE);
  });
});

describe("buffered channel", () => {
  it("blocking send/recv carry tag and data in FIFO order", async () => {
    const sim = newSim();
    const t = sim.spawn();
    const [s, r] = channel(t, 3);
    for (let i = 1; i <= 3; i++) expect(await t.sys.ipc_send(s, msgAt(t, i, [i * 10, 2n ** 64n - 1n]), 0)).toBe(0);
    // full: nonblocking send gets -EAGAIN
    expect(await t.sys.ipc_send(s, msgAt(t, 4), IPC_NONBLOCK)).toBe(-EAGAIN);
    const got = t.alloc(48);
    for (let i = 1; i <= 3; i++) {
      expect(await t.sys.ipc_recv(r, got, 0)).toBe(0);
      const m = decodeIpcMessage(t.view, got);
      expect(m.tag).toBe(BigInt(i));
      expect(m.data[0]).toBe(BigInt(i * 10));
      expect(m.data[1]).toBe(2n ** 64n - 1n);
      expect(m.fds).toEqual([-1, -1, -1, -1]);
    }
    expect(await t.sys.ipc_recv(r, got, IPC_NONBLOCK)).toBe(-EAGAIN);
  });

  it("the message is copied at submit time", async () => {
    const sim = newSim();
    const t = sim.spawn();
    const [s, r] = channel(t, 1);
    const m = msgAt(t, 7);
    const p = submit(t, t.sys.io_create(0), { opcode: OP_IPC_SEND, fd: s, bufAddr: m, userData: 1 });
    expect(p).toBe(1);
    encodeIpcMessage(t.view, m, { tag: 99 });
    const got = t.alloc(48);
    expect(await t.sys.ipc_recv(r, got)).toBe(0);
    expect(decodeIpcMessage(t.view, got).tag).toBe(7n);
  });

  it("a blocked receiver is woken by a send from another task", async () => {
    const sim = newSim();
    const a = sim.spawn();
    const b = sim.spawn();
    const [s, r] = channel(a, 2);
    const svcFd = a.sys.dup(s);
    expect(a.sys.svc_register("chan", svcFd)).toBe(0);
    const bs = b.sys.svc_lookup("chan");
    const got = a.alloc(48);
    const p = a.sys.ipc_recv(r, got);
    let done = false;
    void p.then(() => (done = true));
    await sim.advance(0);
    expect(done).toBe(false);
    expect(await b.sys.ipc_send(bs, msgAt(b, 42))).toBe(0);
    expect(await p).toBe(0);
    expect(decodeIpcMessage(a.view, got).tag).toBe(42n);
    expect(a.sys.svc_unregister("chan")).toBe(0);
  });

  it("OP_IPC_SEND completes at once with room; a parked send completes when its message enters the queue", async () => {
    const sim = newSim();
    const t = sim.spawn();
    const port = t.sys.io_create(0);
    const [s, r] = channel(t, 1);
    expect(submit(t, port, { opcode: OP_IPC_SEND, fd: s, bufAddr: msgAt(t, 1), userData: 1 }, { opcode: OP_IPC_SEND, fd: s, bufAddr: msgAt(t, 2), userData: 2 }, { opcode: OP_IPC_SEND, fd: s, bufAddr: msgAt(t, 3), userData: 3 })).toBe(3);
    expect(ur(await poll(t, port))).toEqual([[1, 0]]);
    const got = t.alloc(48);
    expect(await t.sys.ipc_recv(r, got)).toBe(0);
    expect(decodeIpcMessage(t.view, got).tag).toBe(1n);
    // message 2 entered the queue: its sender completed
    expect(ur(await poll(t, port))).toEqual([[2, 0]]);
    expect(await t.sys.ipc_recv(r, got)).toBe(0);
    expect(decodeIpcMessage(t.view, got).tag).toBe(2n);
    expect(ur(await poll(t, port))).toEqual([[3, 0]]);
    expect(await t.sys.ipc_recv(r, got)).toBe(0);
    expect(decodeIpcMessage(t.view, got).tag).toBe(3n);
  });

  it("OP_IPC_RECV arms are served FIFO, data copied at reap into the submitter's buffer", async () => {
    const sim = newSim();
    const t = sim.spawn();
    const port = t.sys.io_create(0);
    const [s, r] = channel(t, 4);
    const bufs = [t.alloc(48), t.alloc(48), t.alloc(48)];
    expect(submit(t, port, ...bufs.map((b, i) => ({ opcode: OP_IPC_RECV, fd: r, bufAddr: b, userData: 10 + i })))).toBe(3);
    expect(await poll(t, port)).toEqual([]);
    for (const tag of [5, 6]) expect(await t.sys.ipc_send(s, msgAt(t, tag))).toBe(0);
    // not copied before reap
    expect(decodeIpcMessage(t.view, bufs[0]!).tag).toBe(0n);
    expect(ur(await poll(t, port))).toEqual([[10, 0], [11, 0]]);
    expect(decodeIpcMessage(t.view, bufs[0]!).tag).toBe(5n);
    expect(decodeIpcMessage(t.view, bufs[1]!).tag).toBe(6n);
    expect(await poll(t, port)).toEqual([]);
    expect(await t.sys.ipc_send(s, msgAt(t, 7))).toBe(0);
    expect(ur(await poll(t, port))).toEqual([[12, 0]]);
    expect(decodeIpcMessage(t.view, bufs[2]!).tag).toBe(7n);
  });

  it("blocked callers and armed receives share one FIFO", async () => {
    const sim = newSim();
    const t = sim.spawn();
    const port = t.sys.io_create(0);
    const [s, r] = channel(t, 1);
    const b1 = t.alloc(48);
    const b2 = t.alloc(48);
    const b3 = t.alloc(48);
    const order: string[] = [];
    const p1 = t.sys.ipc_recv(r, b1).then((v) => order.push(`blocked1:${v}`));
    submit(t, port, { opcode: OP_IPC_RECV, fd: r, bufAddr: b2, userData: 2 });
    const p3 = t.sys.ipc_recv(r, b3).then((v) => order.push(`blocked3:${v}`));
    for (const tag of [1, 2, 3]) expect(await t.sys.ipc_send(s, msgAt(t, tag))).toBe(0);
    await Promise.all([p1, p3]);
    expect(order).toEqual(["blocked1:0", "blocked3:0"]);
    expect(decodeIpcMessage(t.view, b1).tag).toBe(1n);
    expect(decodeIpcMessage(t.view, b3).tag).toBe(3n);
    expect(ur(await poll(t, port))).toEqual([[2, 0]]);
    expect(decodeIpcMessage(t.view, b2).tag).toBe(2n);
  });

  it("a receive with buf_addr 0 discards the message", async () => {
    const sim = newSim();
    const t = sim.spawn();
    const port = t.sys.io_create(0);
    const [s, r] = channel(t, 2);
    await t.sys.ipc_send(s, msgAt(t, 1));
    await t.sys.ipc_send(s, msgAt(t, 2));
    submit(t, port, { opcode: OP_IPC_RECV, fd: r, bufAddr: 0, userData: 1 });
    expect(ur(await poll(t, port))).toEqual([[1, 0]]);
    expect(await t.sys.ipc_recv(r, 0)).toBe(0); // the blocking form discards too
    expect(await t.sys.ipc_recv(r, t.alloc(48), IPC_NONBLOCK)).toBe(-EAGAIN);
  });
});

describe("check orders", () => {
  it("ipc_send: flags, fd, range, fds[], EPIPE, EAGAIN", async () => {
    const sim = newSim();
    const t = sim.spawn({ memoryBytes: 1024 });
    const [s, r] = channel(t, 0);
    const good = msgAt(t, 1);
    const badFds = msgAt(t, 1, [], [40]);
    expect(await t.sys.ipc_send(s, 0, 2)).toBe(-EINVAL);
    expect(await t.sys.ipc_send(r, 0, 0)).toBe(-EBADF); // recv end is not a send end
    expect(await t.sys.ipc_send(50, 0, 0)).toBe(-EBADF);
    expect(await t.sys.ipc_send(s, 0, 0)).toBe(-EFAULT);
    expect(await t.sys.ipc_send(s, 1000, 0)).toBe(-EFAULT);
    expect(await t.sys.ipc_send(s, badFds, IPC_NONBLOCK)).toBe(-EBADF);
    encodeIpcMessage(t.view, badFds, { fds: [-1, -1, -1, -2] }); // only -1 means unused
    expect(await t.sys.ipc_send(s, badFds, IPC_NONBLOCK)).toBe(-EBADF);
    expect(await t.sys.ipc_send(s, good, IPC_NONBLOCK)).toBe(-EAGAIN);
    expect(t.sys.close(r)).toBe(0);
    encodeIpcMessage(t.view, badFds, { fds: [77] });
    expect(await t.sys.ipc_send(s, badFds, IPC_NONBLOCK)).toBe(-EBADF);
    expect(await t.sys.ipc_send(s, good, IPC_NONBLOCK)).toBe(-EPIPE);
    expect(await t.sys.ipc_send(s, good, 0)).toBe(-EPIPE);
  });

  it("ipc_recv: flags, fd, range, then EPIPE/EAGAIN", async () => {
    const sim = newSim();
    const t = sim.spawn({ memoryBytes: 1024 });
    const [s, r] = channel(t, 1);
    const buf = t.alloc(48);
    expect(await t.sys.ipc_recv(r, 0, 3)).toBe(-EINVAL);
    expect(await t.sys.ipc_recv(s, 1000, 0)).toBe(-EBADF);
    expect(await t.sys.ipc_recv(r, 1000, 0)).toBe(-EFAULT);
    expect(await t.sys.ipc_recv(r, -8, 0)).toBe(-EFAULT);
    expect(await t.sys.ipc_recv(r, buf, IPC_NONBLOCK)).toBe(-EAGAIN);
    t.sys.close(s);
    expect(await t.sys.ipc_recv(r, buf, IPC_NONBLOCK)).toBe(-EPIPE);
    expect(await t.sys.ipc_recv(r, buf, 0)).toBe(-EPIPE);
  });

  it("submission entries: fd kind, buffer, message fds, state", async () => {
    const sim = newSim();
    const t = sim.spawn({ memoryBytes: 2048 });
    const port = t.sys.io_create(0);
    const [s, r] = channel(t, 1);
    const bad = msgAt(t, 1, [], [33]);
    submit(
      t,
      port,
      { opcode: OP_IPC_SEND, fd: r, bufAddr: 0, userData: 1 },
      { opcode: OP_IPC_SEND, fd: s, bufAddr: 0, userData: 2 },
      { opcode: OP_IPC_SEND, fd: s, bufAddr: 2040, userData: 3 },
      { opcode: OP_IPC_SEND, fd: s, bufAddr: bad, userData: 4 },
      { opcode: OP_IPC_RECV, fd: s, bufAddr: 0, userData: 5 },
      { opcode: OP_IPC_RECV, fd: r, bufAddr: 2040, userData: 6 },
      { opcode: OP_IPC_RECV, fd: port, bufAddr: 0, userData: 7 },
      { opcode: OP_IPC_SEND, fd: s, bufAddr: bad, flags: 1, userData: 8 },
    );
    expect(ur(await poll(t, port))).toEqual([
      [1, -EBADF],
      [2, -EFAULT],
      [3, -EFAULT],
      [4, -EBADF],
      [5, -EBADF],
      [6, -EFAULT],
      [7, -EBADF],
      [8, -EINVAL],
    ]);
    t.sys.close(r);
    submit(t, port, { opcode: OP_IPC_SEND, fd: s, bufAddr: bad, userData: 9 }, { opcode: OP_IPC_SEND, fd: s, bufAddr: msgAt(t, 1), userData: 10 });
    expect(ur(await poll(t, port))).toEqual([
      [9, -EBADF],
      [10, -EPIPE],
    ]);
  });
});

describe("cancellation and port close", () => {
  it("io_cancel of a parked send releases its message; of an armed recv removes it from the FIFO", async () => {
    const sim = newSim();
    const t = sim.spawn();
    const port = t.sys.io_create(0);
    const [s, r] = channel(t, 0);
    const n = t.sys.notify_create(0);
    submit(t, port, { opcode: OP_IPC_SEND, fd: s, bufAddr: msgAt(t, 1, [], [n]), userData: 1 }, { opcode: OP_IPC_SEND, fd: s, bufAddr: msgAt(t, 2), userData: 2 });
    expect(t.sys.io_cancel(port, 1n)).toBe(1);
    expect(ur(await poll(t, port))).toEqual([[1, -ECANCELED]]);
    t.sys.close(n); // the cancelled message held the only other reference
    expect(sim.kernel.objects.size).toBe(3);
    const got = t.alloc(48);
    expect(await t.sys.ipc_recv(r, got)).toBe(0);
    expect(decodeIpcMessage(t.view, got).tag).toBe(2n);
    expect(ur(await poll(t, port))).toEqual([[2, 0]]);

    submit(t, port, { opcode: OP_IPC_RECV, fd: r, bufAddr: got, userData: 3 }, { opcode: OP_IPC_RECV, fd: r, bufAddr: got, userData: 4 });
    expect(t.sys.io_cancel(port, 3n)).toBe(1);
    expect(await t.sys.ipc_send(s, msgAt(t, 5), IPC_NONBLOCK)).toBe(0);
    expect(ur(await poll(t, port))).toEqual([
      [3, -ECANCELED],
      [4, 0],
    ]);
  });

  it("closing a port releases objects of unreaped receives and parked sends", async () => {
    const sim = newSim();
    const t = sim.spawn();
    const port = t.sys.io_create(0);
    const [s, r] = channel(t, 0);
    const [s2, r2] = channel(t, 4);
    const n1 = t.sys.notify_create(0);
    const n2 = t.sys.notify_create(0);
    submit(t, port, { opcode: OP_IPC_SEND, fd: s, bufAddr: msgAt(t, 1, [], [n1]), userData: 1 });
    await t.sys.ipc_send(s2, msgAt(t, 2, [], [n2]));
    submit(t, port, { opcode: OP_IPC_RECV, fd: r2, bufAddr: t.alloc(48), userData: 2 });
    t.sys.close(n1);
    t.sys.close(n2);
    expect(sim.kernel.liveObjects).toBe(7);
    expect(t.sys.close(port)).toBe(0);
    expect(sim.kernel.liveObjects).toBe(4);
    expect(await t.sys.ipc_recv(r, 0, IPC_NONBLOCK)).toBe(-EAGAIN);
  });
});

describe("exited tasks", () => {
  it("a blocked caller of an exiting task resolves -EPERM, its parked message is released, the peers carry on", async () => {
    const sim = newSim();
    const a = sim.spawn();
    const b = sim.spawn();
    const [s, r] = channel(a, 0);
    a.sys.svc_register("r", r);
    const br = b.sys.svc_lookup("r");
    a.sys.svc_register("s", s);
    const bs = b.sys.svc_lookup("s");
    a.sys.svc_unregister("r");
    a.sys.svc_unregister("s");
    const n = a.sys.notify_create(0);
    const p = a.sys.ipc_send(s, msgAt(a, 1, [], [n]));
    const [, r2] = channel(a, 2);
    const q = a.sys.ipc_recv(r2, a.alloc(48));
    const live = sim.kernel.liveObjects;
    a.exit();
    expect(await p).toBe(-EPERM);
    expect(await q).toBe(-EPERM);
    expect(sim.kernel.liveObjects).toBe(live - 3); // the notify object went with the message, and a's second channel
    expect(await a.sys.ipc_send(s, 0)).toBe(-EPERM);
    // b still holds both ends: nothing of a's message is left
    expect(await b.sys.ipc_recv(br, 0, IPC_NONBLOCK)).toBe(-EAGAIN);
    const got = b.alloc(48);
    const rp = b.sys.ipc_recv(br, got);
    expect(await b.sys.ipc_send(bs, msgAt(b, 9))).toBe(0);
    expect(await rp).toBe(0);
    expect(decodeIpcMessage(b.view, got).tag).toBe(9n);
  });
});
