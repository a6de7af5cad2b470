import { describe, expect, it } from "vitest";
import {
  ECANCELED,
  EMFILE,
  IPC_NONBLOCK,
  OP_IPC_RECV,
  OP_RING_WAIT,
  decodeIpcMessage,
} from "../core/index.js";
import { channel, leakChecked, msg, poll, share, submit, ur } from "./ipc-helpers.js";

const newSim = leakChecked();

describe("fd passing", () => {
  it("duplicates: the receiver gets the lowest free fds, fds[] rewritten in place, the sender keeps its own", async () => {
    const sim = newSim();
    const a = sim.spawn();
    const b = sim.spawn();
    const [s, r] = channel(a, 1);
    const br = share(a, r, b);
    a.sys.close(r);
    b.sys.notify_create(0); // fd 1 in b; fd 0 is br
    b.sys.notify_create(0); // fd 2
    b.sys.close(1); // hole at 1
    const n1 = a.sys.notify_create(0);
    const n2 = a.sys.notify_create(0);
    expect(await a.sys.ipc_send(s, msg(a, 1, [-1, n1, -1, n2]))).toBe(0);
    const got = b.alloc(48);
    expect(await b.sys.ipc_recv(br, got)).toBe(0);
    expect(decodeIpcMessage(b.view, got).fds).toEqual([-1, 1, -1, 3]);
    // one object, two holders: a notify through b's fd wakes an arm on a's fd
    const port = a.sys.io_create(0);
    submit(a, port, { opcode: OP_RING_WAIT, fd: n1, userData: 1 });
    expect(b.sys.notify(1)).toBe(0);
    expect(ur(await poll(a, port))).toEqual([[1, 0]]);
    expect(a.sys.notify(n2)).toBe(0);
  });

  it("objects are referenced at send time: the sender may close its fd before delivery", async () => {
    const sim = newSim();
    const t = sim.spawn();
    const [s, r] = channel(t, 1);
    const n = t.sys.notify_create(0);
    await t.sys.ipc_send(s, msg(t, 1, [n, n]));
    expect(t.sys.close(n)).toBe(0);
    expect(sim.kernel.liveObjects).toBe(3);
    const got = t.alloc(48);
    expect(await t.sys.ipc_recv(r, got)).toBe(0);
    // the same fd twice gives two fds for one object
    expect(decodeIpcMessage(t.view, got).fds).toEqual([2, 3, -1, -1]);
    t.sys.close(2);
    expect(sim.kernel.liveObjects).toBe(3);
    t.sys.close(3);
    expect(sim.kernel.liveObjects).toBe(2);
  });

  it("across three tasks: A → B → C, and C's notify reaches A's arm", async () => {
    const sim = newSim();
    const a = sim.spawn({ name: "A" });
    const b = sim.spawn({ name: "B" });
    const c = sim.spawn({ name: "C" });
    const [ab, abR] = channel(a, 0);
    const [bc, bcR] = channel(b, 0);
    const bIn = share(a, abR, b);
    const cIn = share(b, bcR, c);
    a.sys.close(abR);
    b.sys.close(bcR);
    const bell = a.sys.notify_create(0);
    const port = a.sys.io_create(0);
    submit(a, port, { opcode: OP_RING_WAIT, fd: bell, userData: 77 });

    const cGot = c.alloc(48);
    const cDone = c.sys.ipc_recv(cIn, cGot);
    const bGot = b.alloc(48);
    const bDone = b.sys.ipc_recv(bIn, bGot);
    expect(await a.sys.ipc_send(ab, msg(a, 1, [bell]))).toBe(0);
    a.sys.close(bell);
    expect(await bDone).toBe(0);
    const bBell = decodeIpcMessage(b.view, bGot).fds[0];
    expect(await b.sys.ipc_send(bc, msg(b, 2, [bBell]))).toBe(0);
    b.sys.close(bBell);
    expect(await cDone).toBe(0);
    const cBell = decodeIpcMessage(c.view, cGot).fds[0];
    expect(c.sys.notify(cBell)).toBe(0);
    expect(ur(await poll(a, port))).toEqual([[77, 0]]);
    c.exit();
    b.exit();
    // a's arm is gone; the bell object closed with c's exit: nothing else held it
    submit(a, port, { opcode: OP_RING_WAIT, fd: bell, userData: 78 });
    expect(ur(await poll(a, port))).toEqual([[78, -9]]);
  });

  it("a channel end passed through a channel works in the receiving task", async () => {
    const sim = newSim();
    const a = sim.spawn();
    const b = sim.spawn();
    const [ctl, ctlR] = channel(a, 1);
    const bCtl = share(a, ctlR, b);
    a.sys.close(ctlR);
    // a makes a reply channel and passes its send end to b
    const [rep, repR] = channel(a, 0);
    expect(await a.sys.ipc_send(ctl, msg(a, 1, [rep]))).toBe(0);
    a.sys.close(rep); // b's copy is now the only send end
    const got = b.alloc(48);
    expect(await b.sys.ipc_recv(bCtl, got)).toBe(0);
    const bRep = decodeIpcMessage(b.view, got).fds[0]!;
    const aGot = a.alloc(48);
    const reply = a.sys.ipc_recv(repR, aGot);
    expect(await b.sys.ipc_send(bRep, msg(b, 99))).toBe(0);
    expect(await reply).toBe(0);
    expect(decodeIpcMessage(a.view, aGot).tag).toBe(99n);
    // b closing the passed end is the last send end: a's next receive sees -EPIPE
    const again = a.sys.ipc_recv(repR, aGot);
    b.sys.close(bRep);
    expect(await again).toBe(-32);
  });

  it("-EMFILE at reap is all-or-nothing: data written, fds[] -1, objects closed, table untouched", async () => {
    const sim = newSim();
    const t = sim.spawn();
    const port = t.sys.io_create(0); // fd 0
    const [s, r] = channel(t, 2); // 1, 2
    const n1 = t.sys.notify_create(0); // 3
    const n2 = t.sys.notify_create(0); // 4
    await t.sys.ipc_send(s, msg(t, 5, [n1, n2]));
    await t.sys.ipc_send(s, msg(t, 6, [n1, n2]));
    t.sys.close(n1);
    t.sys.close(n2);
    const bufs = [t.alloc(48), t.alloc(48)];
    submit(t, port, { opcode: OP_IPC_RECV, fd: r, bufAddr: bufs[0], userData: 1 }, { opcode: OP_IPC_RECV, fd: r, bufAddr: bufs[1], userData: 2 });
    // fill the table up to one free fd before reaping
    const filler = t.sys.notify_create(0);
    while (t.sys.dup(filler) !== 62);
    expect(ur(await poll(t, port, 1))).toEqual([[1, -EMFILE]]);
    const m = decodeIpcMessage(t.view, bufs[0]!);
    expect(m.tag).toBe(5n);
    expect(m.fds).toEqual([-1, -1, -1, -1]);
    expect(t.sys.close(63)).toBe(-9); // nothing was installed
    // the objects stay alive: the second message still holds them
    expect(sim.kernel.liveObjects).toBe(6);
    t.sys.close(62); // now exactly two free
    expect(ur(await poll(t, port, 1))).toEqual([[2, 0]]);
    expect(decodeIpcMessage(t.view, bufs[1]!).fds).toEqual([62, 63, -1, -1]);
    t.sys.close(62);
    t.sys.close(63);
    expect(sim.kernel.liveObjects).toBe(4);
  });

  it("-EMFILE closes the objects when the message held their last references", async () => {
    const sim = newSim();
    const t = sim.spawn();
    const [s, r] = channel(t, 1);
    const port = t.sys.io_create(0);
    const n = t.sys.notify_create(0);
    submit(t, port, { opcode: OP_RING_WAIT, fd: n, userData: 9 });
    await t.sys.ipc_send(s, msg(t, 1, [n]));
    t.sys.close(n);
    const f = t.sys.notify_create(0);
    while (t.sys.dup(f) !== 63);
    const got = t.alloc(48);
    // the blocking form reaps at once into a full table
    expect(await t.sys.ipc_recv(r, got)).toBe(-EMFILE);
    expect(decodeIpcMessage(t.view, got).fds[0]).toBe(-1);
    expect(ur(await poll(t, port))).toEqual([[9, -ECANCELED]]);
  });

  it("cross-task reap: data and fds go to the submitter, whoever reaps", async () => {
    const sim = newSim();
    const a = sim.spawn({ memoryBytes: 4096 });
    const b = sim.spawn({ memoryBytes: 4096 });
    const port = a.sys.io_create(0);
    const [s, r] = channel(a, 1);
    const bPort = share(a, port, b);
    const buf = a.alloc(48);
    submit(a, port, { opcode: OP_IPC_RECV, fd: r, bufAddr: buf, userData: 3 });
    const n = a.sys.notify_create(0);
    await a.sys.ipc_send(s, msg(a, 0x1234, [n]));
    a.sys.close(n);
    const bFree = b.sys.notify_create(0); // b's table changes only by this
    b.sys.close(bFree);
    const bMemBefore = b.memory.slice();
    const out = b.alloc(24);
    expect(await b.sys.io_wait(bPort, out, 1, 1, 0)).toBe(1);
    // b's memory changed only where the completion went
    const after = b.memory.slice();
    after.fill(0, out, out + 24);
    bMemBefore.fill(0, out, out + 24);
    expect(after).toEqual(bMemBefore);
    const m = decodeIpcMessage(a.view, buf);
    expect(m.tag).toBe(0x1234n);
    expect(m.fds[0]).toBe(3); // lowest free fd in a's table (n's old fd)
    expect(a.sys.notify(3)).toBe(0);
    expect(b.sys.notify(3)).toBe(-9);
  });

  it("an exited submitter: data still written, objects closed, fds[] -1, -EMFILE; buf 0 closes at reap", async () => {
    const sim = newSim();
    const a = sim.spawn();
    const b = sim.spawn();
    const port = a.sys.io_create(0);
    const [s, r] = channel(a, 4);
    const bPort = share(a, port, b);
    const bS = share(a, s, b);
    const buf = a.alloc(48);
    const buf2 = a.alloc(48);
    submit(
      a,
      port,
      { opcode: OP_IPC_RECV, fd: r, bufAddr: buf, userData: 1 },
      { opcode: OP_IPC_RECV, fd: r, bufAddr: 0, userData: 2 },
      { opcode: OP_IPC_RECV, fd: r, bufAddr: buf2, userData: 3 },
    );
    const n = b.sys.notify_create(0);
    expect(await b.sys.ipc_send(bS, msg(b, 10, [n]))).toBe(0);
    expect(await b.sys.ipc_send(bS, msg(b, 11, [n]))).toBe(0);
    expect(await b.sys.ipc_send(bS, msg(b, 12))).toBe(0);
    b.sys.close(n);
    a.exit(); // the port lives on through b; r closed, but its receives already completed
    expect(sim.kernel.liveObjects).toBe(3); // port, send end, the notify object (in two messages)
    const out = b.alloc(72);
    expect(await b.sys.io_wait(bPort, out, 3, 3, 0)).toBe(3);
    expect(decodeIpcMessage(a.view, buf)).toMatchObject({ tag: 10n, fds: [-1, -1, -1, -1] });
    expect(decodeIpcMessage(a.view, buf2).tag).toBe(12n);
    const results = [0, 1, 2].map((i) => b.view.getInt32(out + 24 * i + 8, true));
    // with no object to install, an exited submitter's receive still succeeds
    expect(results).toEqual([-EMFILE, 0, 0]);
    expect(sim.kernel.liveObjects).toBe(2);
    expect(await b.sys.ipc_send(bS, msg(b, 13), IPC_NONBLOCK)).toBe(-32);
  });

  it("a port fd can be passed, and ops submitted by its new holder complete into it", async () => {
    const sim = newSim();
    const a = sim.spawn();
    const b = sim.spawn();
    const [s, r] = channel(a, 1);
    const bR = share(a, r, b);
    const port = a.sys.io_create(0);
    await a.sys.ipc_send(s, msg(a, 1, [port]));
    a.sys.close(port);
    const got = b.alloc(48);
    expect(await b.sys.ipc_recv(bR, got)).toBe(0);
    const bp = decodeIpcMessage(b.view, got).fds[0]!;
    submit(b, bp, { opcode: 0, userData: 5 });
    expect(ur(await poll(b, bp))).toEqual([[5, 0]]);
  });
});
