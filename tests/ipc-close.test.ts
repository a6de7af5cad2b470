import { describe, expect, it } from "vitest";
import {
  ECANCELED,
  EPIPE,
  IPC_NONBLOCK,
  OP_IPC_RECV,
  OP_IPC_SEND,
  OP_RING_WAIT,
  decodeIpcMessage,
} from "../core/index.js";
import { channel, leakChecked, msg, poll, submit, ur } from "./ipc-helpers.js";

const newSim = leakChecked();

describe("closing the send end", () => {
  it("armed receivers (port arms and blocked callers) get -EPIPE in FIFO order", async () => {
    const sim = newSim();
    const t = sim.spawn();
    const port = t.sys.io_create(0);
    const [s, r] = channel(t, 2);
    const d = t.sys.dup(s);
    const order: string[] = [];
    submit(t, port, { opcode: OP_IPC_RECV, fd: r, bufAddr: t.alloc(48), userData: 1 });
    const p = t.sys.ipc_recv(r, t.alloc(48)).then((v) => order.push(`blocked:${v}`));
    submit(t, port, { opcode: OP_IPC_RECV, fd: r, bufAddr: 0, userData: 2 });
    t.sys.close(s); // one of two references: nothing happens
    await sim.advance(0);
    expect(await poll(t, port)).toEqual([]);
    expect(order).toEqual([]);
    t.sys.close(d);
    await p;
    expect(order).toEqual([`blocked:${-EPIPE}`]);
    expect(ur(await poll(t, port))).toEqual([
      [1, -EPIPE],
      [2, -EPIPE],
    ]);
  });

  it("queued messages are still received, then -EPIPE", async () => {
    const sim = newSim();
    const t = sim.spawn();
    const [s, r] = channel(t, 4);
    await t.sys.ipc_send(s, msg(t, 1));
    await t.sys.ipc_send(s, msg(t, 2));
    t.sys.close(s);
    const buf = t.alloc(48);
    expect(await t.sys.ipc_recv(r, buf)).toBe(0);
    expect(await t.sys.ipc_recv(r, buf, IPC_NONBLOCK)).toBe(0);
    expect(decodeIpcMessage(t.view, buf).tag).toBe(2n);
    expect(await t.sys.ipc_recv(r, buf, IPC_NONBLOCK)).toBe(-EPIPE);
    expect(await t.sys.ipc_recv(r, buf)).toBe(-EPIPE);
  });

  it("sends parked when the last send end closes stay parked and complete 0 when received", async () => {
    const sim = newSim();
    const t = sim.spawn();
    const port = t.sys.io_create(0);
    const [s, r] = channel(t, 0);
    submit(t, port, { opcode: OP_IPC_SEND, fd: s, bufAddr: msg(t, 1), userData: 1 });
    const blocked = t.sys.ipc_send(s, msg(t, 2));
    t.sys.close(s);
    await sim.advance(0);
    expect(await poll(t, port)).toEqual([]);
    const buf = t.alloc(48);
    expect(await t.sys.ipc_recv(r, buf)).toBe(0);
    expect(decodeIpcMessage(t.view, buf).tag).toBe(1n);
    expect(ur(await poll(t, port))).toEqual([[1, 0]]);
    submit(t, port, { opcode: OP_IPC_RECV, fd: r, bufAddr: buf, userData: 3 }, { opcode: OP_IPC_RECV, fd: r, bufAddr: buf, userData: 4 });
    expect(await blocked).toBe(0);
    expect(ur(await poll(t, port))).toEqual([
      [3, 0],
      [4, -EPIPE],
    ]);
    expect(decodeIpcMessage(t.view, buf).tag).toBe(2n);
  });

  it("a parked send cancelled after the send end closed: the receivers then see -EPIPE", async () => {
    const sim = newSim();
    const t = sim.spawn();
    const port = t.sys.io_create(0);
    const [s, r] = channel(t, 0);
    submit(t, port, { opcode: OP_IPC_SEND, fd: s, bufAddr: msg(t, 1), userData: 1 });
    t.sys.close(s);
    expect(t.sys.io_cancel(port, 1n)).toBe(1);
    expect(await t.sys.ipc_recv(r, 0)).toBe(-EPIPE);
    expect(ur(await poll(t, port))).toEqual([[1, -ECANCELED]]);
  });
});

describe("closing the recv end", () => {
  it("its own armed receives complete -ECANCELED; later sends get -EPIPE", async () => {
    const sim = newSim();
    const t = sim.spawn();
    const port = t.sys.io_create(0);
    const [s, r] = channel(t, 1);
    submit(t, port, { opcode: OP_IPC_RECV, fd: r, bufAddr: 0, userData: 1 }, { opcode: OP_IPC_RECV, fd: r, bufAddr: 0, userData: 2 });
    const b = t.sys.ipc_recv(r, 0); // a blocked caller of the same task
    t.sys.close(r);
    expect(ur(await poll(t, port))).toEqual([
      [1, -ECANCELED],
      [2, -ECANCELED],
    ]);
    expect(await b).toBe(-ECANCELED);
    expect(await t.sys.ipc_send(s, msg(t, 1))).toBe(-EPIPE);
    submit(t, port, { opcode: OP_IPC_SEND, fd: s, bufAddr: msg(t, 1), userData: 3 });
    expect(ur(await poll(t, port))).toEqual([[3, -EPIPE]]);
  });

  it("parked senders get -EPIPE in FIFO order before undelivered messages release their objects", async () => {
    const sim = newSim();
    const t = sim.spawn();
    const port = t.sys.io_create(0);
    const [s, r] = channel(t, 1);
    const n1 = t.sys.notify_create(0);
    const n2 = t.sys.notify_create(0);
    const n3 = t.sys.notify_create(0);
    // arms on objects that live only in messages once the fds are closed
    submit(t, port, { opcode: OP_RING_WAIT, fd: n1, userData: 101 }, { opcode: OP_RING_WAIT, fd: n2, userData: 102 }, { opcode: OP_RING_WAIT, fd: n3, userData: 103 });
    await t.sys.ipc_send(s, msg(t, 1, [n1])); // queued
    submit(t, port, { opcode: OP_IPC_SEND, fd: s, bufAddr: msg(t, 2, [n2]), userData: 2 }); // parked
    const blocked = t.sys.ipc_send(s, msg(t, 3, [n3])); // parked, blocked caller
    submit(t, port, { opcode: OP_IPC_SEND, fd: s, bufAddr: msg(t, 4), userData: 4 }); // parked
    for (const n of [n1, n2, n3]) t.sys.close(n);
    expect(await poll(t, port)).toEqual([]);
    const live = sim.kernel.liveObjects;
    t.sys.close(r);
    expect(await blocked).toBe(-EPIPE);
    expect(ur(await poll(t, port))).toEqual([
      [2, -EPIPE],
      [4, -EPIPE],
      [101, -ECANCELED],
      [102, -ECANCELED],
      [103, -ECANCELED],
    ]);
    expect(sim.kernel.liveObjects).toBe(live - 4);
  });

  it("blocked senders of another task resolve -EPIPE", async () => {
    const sim = newSim();
    const a = sim.spawn();
    const b = sim.spawn();
    const [s, r] = channel(a, 0);
    a.sys.svc_register("s", s);
    const bs = b.sys.svc_lookup("s");
    a.sys.svc_unregister("s");
    const p1 = b.sys.ipc_send(bs, msg(b, 1));
    const p2 = b.sys.ipc_send(bs, msg(b, 2));
    a.sys.close(r);
    expect(await Promise.all([p1, p2])).toEqual([-EPIPE, -EPIPE]);
  });
});
