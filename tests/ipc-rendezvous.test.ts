import { describe, expect, it } from "vitest";
import { EAGAIN, IPC_NONBLOCK, OP_IPC_RECV, OP_IPC_SEND, decodeIpcMessage } from "../core/index.js";
import { channel, leakChecked, msg, poll, submit, ur } from "./ipc-helpers.js";

const newSim = leakChecked();

describe("rendezvous channel (capacity 0)", () => {
  it("a send completes only when a receiver takes it; the receiver's completion comes first", async () => {
    const sim = newSim();
    const t = sim.spawn();
    const port = t.sys.io_create(0);
    const [s, r] = channel(t, 0);
    submit(t, port, { opcode: OP_IPC_SEND, fd: s, bufAddr: msg(t, 1), userData: 1 });
    await sim.advance(1_000_000);
    expect(await poll(t, port)).toEqual([]);
    const buf = t.alloc(48);
    submit(t, port, { opcode: OP_IPC_RECV, fd: r, bufAddr: buf, userData: 2 });
    expect(ur(await poll(t, port))).toEqual([
      [2, 0],
      [1, 0],
    ]);
    expect(decodeIpcMessage(t.view, buf).tag).toBe(1n);
    // the other way round: armed receive, then the send pairs with it
    submit(t, port, { opcode: OP_IPC_RECV, fd: r, bufAddr: buf, userData: 3 });
    submit(t, port, { opcode: OP_IPC_SEND, fd: s, bufAddr: msg(t, 2), userData: 4 });
    expect(ur(await poll(t, port))).toEqual([
      [3, 0],
      [4, 0],
    ]);
    expect(decodeIpcMessage(t.view, buf).tag).toBe(2n);
  });

  it("several senders from several tasks are taken in FIFO order, each completing when taken", async () => {
    const sim = newSim();
    const rx = sim.spawn({ name: "rx" });
    const [s, r] = channel(rx, 0);
    rx.sys.svc_register("ch", s);
    rx.sys.close(s);
    const senders = [sim.spawn(), sim.spawn(), sim.spawn()];
    const order: number[] = [];
    const sends: Promise<number>[] = [];
    const ports: number[] = [];
    senders.forEach((t, i) => {
      const fd = t.sys.svc_lookup("ch");
      const port = t.sys.io_create(0);
      ports.push(port);
      // each task: one blocking send, then one port send
      sends.push(t.sys.ipc_send(fd, msg(t, 10 + i)).then((v) => (order.push(10 + i), v)));
      submit(t, port, { opcode: OP_IPC_SEND, fd, bufAddr: msg(t, 20 + i), userData: 20 + i });
    });
    rx.sys.svc_unregister("ch");
    const buf = rx.alloc(48);
    const tags: number[] = [];
    for (let k = 0; k < 6; k++) {
      expect(await rx.sys.ipc_recv(r, buf, IPC_NONBLOCK)).toBe(0);
      tags.push(Number(decodeIpcMessage(rx.view, buf).tag));
      if (k === 1) {
        // after two receives: sender 0's blocking send and port send done, none of the others
        await sim.advance(0);
        expect(order).toEqual([10]);
        expect(ur(await poll(senders[0]!, ports[0]!))).toEqual([[20, 0]]);
        expect(await poll(senders[1]!, ports[1]!)).toEqual([]);
      }
    }
    expect(tags).toEqual([10, 20, 11, 21, 12, 22]);
    expect(await Promise.all(sends)).toEqual([0, 0, 0]);
    expect(order).toEqual([10, 11, 12]);
    expect(await rx.sys.ipc_recv(r, buf, IPC_NONBLOCK)).toBe(-EAGAIN);
  });

  it("IPC_NONBLOCK: a send succeeds only with a receiver waiting; a receive only with a sender parked", async () => {
    const sim = newSim();
    const t = sim.spawn();
    const [s, r] = channel(t, 0);
    expect(await t.sys.ipc_send(s, msg(t, 1), IPC_NONBLOCK)).toBe(-EAGAIN);
    expect(await t.sys.ipc_recv(r, t.alloc(48), IPC_NONBLOCK)).toBe(-EAGAIN);
    const buf = t.alloc(48);
    const rp = t.sys.ipc_recv(r, buf);
    expect(await t.sys.ipc_send(s, msg(t, 2), IPC_NONBLOCK)).toBe(0);
    expect(await rp).toBe(0);
    expect(decodeIpcMessage(t.view, buf).tag).toBe(2n);
    const sp = t.sys.ipc_send(s, msg(t, 3));
    expect(await t.sys.ipc_recv(r, buf, IPC_NONBLOCK)).toBe(0);
    expect(await sp).toBe(0);
    expect(decodeIpcMessage(t.view, buf).tag).toBe(3n);
  });

  it("a buffered channel with a parked sender: the receive's completion precedes the sender's", async () => {
    const sim = newSim();
    const t = sim.spawn();
    const port = t.sys.io_create(0);
    const [s, r] = channel(t, 1);
    submit(t, port, { opcode: OP_IPC_SEND, fd: s, bufAddr: msg(t, 1), userData: 1 }, { opcode: OP_IPC_SEND, fd: s, bufAddr: msg(t, 2), userData: 2 });
    expect(ur(await poll(t, port))).toEqual([[1, 0]]);
    const buf = t.alloc(48);
    submit(t, port, { opcode: OP_IPC_RECV, fd: r, bufAddr: buf, userData: 3 });
    expect(ur(await poll(t, port))).toEqual([
      [3, 0],
      [2, 0],
    ]);
    expect(decodeIpcMessage(t.view, buf).tag).toBe(1n);
  });
});
