import { describe, expect, it } from "vitest";
import {
  ECANCELED,
  EPERM,
  EPIPE,
  OP_IPC_RECV,
  OP_IPC_SEND,
  OP_RING_WAIT,
  OP_TIMEOUT,
} from "../core/index.js";
import { channel, leakChecked, msg, poll, share, submit, ur } from "./ipc-helpers.js";

const newSim = leakChecked();

describe("task.exit()", () => {
  it("is a close of every fd: peers see -EPIPE", async () => {
    const sim = newSim();
    const a = sim.spawn();
    const b = sim.spawn();
    const [s, r] = channel(a, 0);
    const bs = share(a, s, b);
    a.sys.close(s);
    const port = a.sys.io_create(0);
    submit(a, port, { opcode: OP_IPC_RECV, fd: r, bufAddr: 0, userData: 1 });
    b.exit();
    expect(ur(await poll(a, port))).toEqual([[1, -EPIPE]]);
    expect(await b.sys.ipc_send(bs, 8)).toBe(-EPERM);
  });

  it("closes fds in ascending order: completions posted by the closes follow it", async () => {
    const sim = newSim();
    const a = sim.spawn();
    const b = sim.spawn();
    const port = b.sys.io_create(0);
    const [s1, r1] = channel(a, 0); // r1 = fd 1
    const n = a.sys.notify_create(0); // fd 2
    const [s2, r2] = channel(a, 0); // r2 = fd 4
    expect([r1, n, r2]).toEqual([1, 2, 4]);
    const bs1 = share(a, s1, b);
    const bs2 = share(a, s2, b);
    const bn = share(a, n, b);
    a.sys.close(s1);
    a.sys.close(s2);
    a.sys.close(n);
    // b's sends and arm, submitted in the reverse order of a's fds
    submit(
      b,
      port,
      { opcode: OP_IPC_SEND, fd: bs2, bufAddr: msg(b, 2), userData: 2 },
      { opcode: OP_RING_WAIT, fd: bn, userData: 9 },
      { opcode: OP_IPC_SEND, fd: bs1, bufAddr: msg(b, 1), userData: 1 },
    );
    b.sys.close(bn); // the notify object's last reference: its arm completes now
    expect(ur(await poll(b, port))).toEqual([[9, -ECANCELED]]);
    a.exit();
    expect(ur(await poll(b, port))).toEqual([
      [1, -EPIPE],
      [2, -EPIPE],
    ]);
  });

  it("with operations in flight: the port goes, every op is cancelled silently, every object released", async () => {
    const sim = newSim();
    const a = sim.spawn();
    const b = sim.spawn();
    const port = a.sys.io_create(0);
    const [s, r] = channel(a, 0);
    const [s2, r2] = channel(a, 2);
    const n = a.sys.notify_create(0);
    const bs2 = share(a, s2, b);
    const bPort = b.sys.io_create(0);
    submit(
      a,
      port,
      { opcode: OP_IPC_SEND, fd: s, bufAddr: msg(a, 1, [n, r2]), userData: 1 },
      { opcode: OP_IPC_RECV, fd: r2, bufAddr: a.alloc(48), userData: 2 },
      { opcode: OP_RING_WAIT, fd: n, userData: 3 },
      { opcode: OP_TIMEOUT, timeoutNs: 1000, userData: 4 },
      { opcode: OP_IPC_RECV, fd: r, bufAddr: a.alloc(48), userData: 5 }, // pairs with op 1 at once
    );
    const out = a.alloc(24 * 8);
    const pending = a.sys.io_wait(port, out, 8, 8, 0);
    a.exit();
    expect(await pending).toBe(-9); // the wait saw the port close
    await sim.advance(2000);
    expect(sim.platform.events.length).toBe(0);
    // b's sends to a's closed receiver fail
    submit(b, bPort, { opcode: OP_IPC_SEND, fd: bs2, bufAddr: msg(b, 7), userData: 7 });
    expect(ur(await poll(b, bPort))).toEqual([[7, -EPIPE]]);
    expect(sim.kernel.liveObjects).toBe(2); // b's port and send end
  });

  it("exit is idempotent and later syscalls return -EPERM", async () => {
    const sim = newSim();
    const t = sim.spawn();
    t.sys.notify_create(0);
    t.exit();
    t.exit();
    expect(t.sys.notify_create(0)).toBe(-EPERM);
    expect(await t.sys.ipc_recv(0, 0)).toBe(-EPERM);
    expect(sim.kernel.liveObjects).toBe(0);
  });
});

describe("objects kept alive by fd-passing cycles", () => {
  it("a recv end sent into its own queue is closed when the last task exits", async () => {
    const sim = newSim();
    const t = sim.spawn();
    const [s, r] = channel(t, 1);
    await t.sys.ipc_send(s, msg(t, 1, [r]));
    t.sys.close(s);
    t.sys.close(r);
    expect(sim.kernel.liveObjects).toBe(1); // the recv end, held by its own message
    const other = sim.spawn();
    other.exit(); // not the last task: nothing collected
    expect(sim.kernel.liveObjects).toBe(1);
    t.exit();
    expect(sim.kernel.liveObjects).toBe(0);
    expect(sim.kernel.ipc!.msgsLive).toBe(0);
  });

  it("a port whose unreaped receive carries the port itself", async () => {
    const sim = newSim();
    const t = sim.spawn();
    const port = t.sys.io_create(0);
    const [s, r] = channel(t, 1);
    submit(t, port, { opcode: OP_IPC_RECV, fd: r, bufAddr: t.alloc(48), userData: 1 });
    await t.sys.ipc_send(s, msg(t, 1, [port]));
    t.exit();
    expect(sim.kernel.liveObjects).toBe(0);
  });

  it("closed oldest first, with the registry's objects (and what they carry) kept", async () => {
    const sim = newSim();
    const a = sim.spawn();
    const [s1, r1] = channel(a, 1); // r1 is older than r2
    const [s2, r2] = channel(a, 1);
    await a.sys.ipc_send(s1, msg(a, 1, [r2]));
    await a.sys.ipc_send(s2, msg(a, 2, [r1]));
    // a registered port watches both channels through parked sends
    const port = a.sys.io_create(0);
    a.sys.svc_register("watch", port);
    submit(a, port, { opcode: OP_IPC_SEND, fd: s2, bufAddr: msg(a, 3), userData: 2 }, { opcode: OP_IPC_SEND, fd: s1, bufAddr: msg(a, 4), userData: 1 });
    // a registered recv end whose queue carries a notify object
    const [s3, r3] = channel(a, 1);
    const n = a.sys.notify_create(0);
    await a.sys.ipc_send(s3, msg(a, 5, [n]));
    a.sys.svc_register("inbox", r3);
    a.exit();
    // kept: the port, r3 and the notify object it carries
    expect(sim.kernel.liveObjects).toBe(3);
    const b = sim.spawn();
    const bp = b.sys.svc_lookup("watch");
    // r1 (older) closed first: its parked sender failed first
    expect(ur(await poll(b, bp))).toEqual([
      [1, -EPIPE],
      [2, -EPIPE],
    ]);
    const br = b.sys.svc_lookup("inbox");
    const buf = b.alloc(48);
    expect(await b.sys.ipc_recv(br, buf)).toBe(0);
    expect(b.sys.notify(b.view.getInt32(buf + 32, true))).toBe(0);
    b.sys.svc_unregister("watch");
    b.sys.svc_unregister("inbox");
  });
});
