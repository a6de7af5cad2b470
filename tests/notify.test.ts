import { describe, expect, it } from "vitest";
import { EBADF, ECANCELED, EINVAL, EMFILE, OP_RING_WAIT, OP_TIMEOUT } from "../core/index.js";
import { channel, leakChecked, poll, submit, ur } from "./ipc-helpers.js";

const newSim = leakChecked();

describe("notify objects", () => {
  it("notify_create: flags must be 0, EMFILE when the table is full", () => {
    const sim = newSim();
    const t = sim.spawn();
    expect(t.sys.notify_create(1)).toBe(-EINVAL);
    expect(t.sys.notify_create()).toBe(0);
    for (let i = 1; i < 64; i++) expect(t.sys.dup(0)).toBe(i);
    const live = sim.kernel.liveObjects;
    expect(t.sys.notify_create(0)).toBe(-EMFILE);
    expect(t.sys.notify_create(2)).toBe(-EINVAL);
    expect(sim.kernel.liveObjects).toBe(live);
  });

  it("notify and OP_RING_WAIT need a notify fd", async () => {
    const sim = newSim();
    const t = sim.spawn();
    const port = t.sys.io_create(0);
    const [s] = channel(t, 1);
    expect(t.sys.notify(port)).toBe(-EBADF);
    expect(t.sys.notify(s)).toBe(-EBADF);
    expect(t.sys.notify(40)).toBe(-EBADF);
    expect(t.sys.notify(-1)).toBe(-EBADF);
    expect(t.sys.notify("0" as unknown as number)).toBe(-EBADF);
    submit(t, port, { opcode: OP_RING_WAIT, fd: port, userData: 1 }, { opcode: OP_RING_WAIT, fd: 33, userData: 2 });
    expect(ur(await poll(t, port))).toEqual([
      [1, -EBADF],
      [2, -EBADF],
    ]);
  });

  it("an arm completes on the next notify, not before", async () => {
    const sim = newSim();
    const t = sim.spawn();
    const port = t.sys.io_create(0);
    const n = t.sys.notify_create(0);
    submit(t, port, { opcode: OP_RING_WAIT, fd: n, userData: 1 });
    await sim.advance(1_000_000);
    expect(await poll(t, port)).toEqual([]);
    expect(t.sys.notify(n)).toBe(0);
    const c = await poll(t, port);
    expect(c).toEqual([{ userData: 1n, result: 0, flags: 0, opcode: OP_RING_WAIT }]);
  });

  it("notifies with nothing armed latch and coalesce into one", async () => {
    const sim = newSim();
    const t = sim.spawn();
    const port = t.sys.io_create(0);
    const n = t.sys.notify_create(0);
    expect(t.sys.notify(n)).toBe(0);
    expect(t.sys.notify(n)).toBe(0);
    expect(t.sys.notify(n)).toBe(0);
    submit(t, port, { opcode: OP_RING_WAIT, fd: n, userData: 1 }, { opcode: OP_RING_WAIT, fd: n, userData: 2 });
    // the latch satisfied the first arm at once (before io_submit returned); the second waits
    expect(ur(await poll(t, port))).toEqual([[1, 0]]);
    expect(await poll(t, port)).toEqual([]);
    t.sys.notify(n);
    expect(ur(await poll(t, port))).toEqual([[2, 0]]);
    // the latch was consumed
    submit(t, port, { opcode: OP_RING_WAIT, fd: n, userData: 3 });
    expect(await poll(t, port)).toEqual([]);
    expect(t.sys.io_cancel(port, 3n)).toBe(1);
    expect(ur(await poll(t, port))).toEqual([[3, -ECANCELED]]);
  });

  it("several arms are served FIFO, one per notify", async () => {
    const sim = newSim();
    const t = sim.spawn();
    const p1 = t.sys.io_create(0);
    const p2 = t.sys.io_create(0);
    const n = t.sys.notify_create(0);
    submit(t, p1, { opcode: OP_RING_WAIT, fd: n, userData: 1 });
    submit(t, p2, { opcode: OP_RING_WAIT, fd: n, userData: 2 });
    submit(t, p1, { opcode: OP_RING_WAIT, fd: n, userData: 3 });
    t.sys.notify(n);
    expect(ur(await poll(t, p1))).toEqual([[1, 0]]);
    expect(await poll(t, p2)).toEqual([]);
    t.sys.notify(n);
    expect(ur(await poll(t, p2))).toEqual([[2, 0]]);
    t.sys.notify(n);
    t.sys.notify(n); // latched, nothing armed
    expect(ur(await poll(t, p1))).toEqual([[3, 0]]);
    submit(t, p2, { opcode: OP_RING_WAIT, fd: n, userData: 4 });
    expect(ur(await poll(t, p2))).toEqual([[4, 0]]);
  });

  it("a waiter is woken by a notify from another task", async () => {
    const sim = newSim();
    const a = sim.spawn();
    const b = sim.spawn();
    const port = a.sys.io_create(0);
    const n = a.sys.notify_create(0);
    a.sys.svc_register("bell", n);
    const bn = b.sys.svc_lookup("bell");
    a.sys.svc_unregister("bell");
    submit(a, port, { opcode: OP_RING_WAIT, fd: n, userData: 7 });
    sim.after(5000, () => b.sys.notify(bn));
    const out = a.alloc(24);
    const got = await sim.run(() => a.sys.io_wait(port, out, 1, 1, 0));
    expect(got).toBe(1);
    expect(sim.now).toBe(5000);
  });

  it("closing the last reference cancels the arms in FIFO order; closing a dup changes nothing", async () => {
    const sim = newSim();
    const t = sim.spawn();
    const port = t.sys.io_create(0);
    const n = t.sys.notify_create(0);
    const d = t.sys.dup(n);
    submit(t, port, { opcode: OP_RING_WAIT, fd: n, userData: 1 }, { opcode: OP_TIMEOUT, timeoutNs: 10, userData: 9 }, { opcode: OP_RING_WAIT, fd: n, userData: 2 });
    expect(t.sys.close(n)).toBe(0);
    expect(await poll(t, port)).toEqual([]);
    expect(t.sys.close(d)).toBe(0);
    expect(ur(await poll(t, port))).toEqual([
      [1, -ECANCELED],
      [2, -ECANCELED],
    ]);
    await sim.advance(10);
    expect(ur(await poll(t, port))).toEqual([[9, 0]]);
  });
});
