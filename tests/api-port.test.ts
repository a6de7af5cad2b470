import { describe, expect, it } from "vitest";
import {
  EBADF,
  ECANCELED,
  OP_IPC_RECV,
  OP_IPC_SEND,
  OP_IRQ_WAIT,
  OP_NOP,
  OP_READ,
  OP_RING_WAIT,
  OP_TIMEOUT,
  OP_WRITE,
  api,
  decodeSubmission,
} from "../core/index.js";
import { CompletionView, IoError, Message, Port, check, checked, createChannel, createNotify } from "../core/api/index.js";
import { leakChecked } from "./ipc-helpers.js";

const newSim = leakChecked();

describe("IoError", () => {
  it("names the errno", () => {
    const e = new IoError(-EBADF, "close");
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe("EBADF");
    expect(e.errno).toBe(9);
    expect(e.syscall).toBe("close");
    expect(e.message).toBe("close: bad file descriptor (errno 9)");
    expect(String(e)).toBe("EBADF: close: bad file descriptor (errno 9)"); // the name once, not twice
    expect(new IoError(-125).message).toBe("canceled (errno 125)");
    expect(new IoError(125).name).toBe("ECANCELED");
    expect(() => check(-22, "x")).toThrow(expect.objectContaining({ name: "EINVAL", errno: 22 }));
    expect(check(3)).toBe(3);
    expect(api.IoError).toBe(IoError);
  });

  it("checked() rejects a blocking syscall's -errno", async () => {
    const sim = newSim();
    const t = sim.spawn();
    await expect(checked(t.sys.ipc_recv(5, 0), "ipc_recv")).rejects.toMatchObject({ name: "EBADF", syscall: "ipc_recv" });
  });
});

describe("Port builders", () => {
  it("encode every field of the submission", () => {
    const sim = newSim();
    const t = sim.spawn();
    const p = new Port(t, { sqEntries: 8 });
    p.nop(2 ** 53 - 1)
      .timeout(5_000_000_000n, 2n ** 64n - 1n)
      .read(3, 100, 7, 1)
      .write(4, 200, 9, 2)
      .irqWait(5, 300, 3)
      .ipcSend(6, 400, 4)
      .ipcRecv(7, 0, 5)
      .ringWait(8, 0x1_0000_0001);
    expect(p.staged).toBe(8);
    const at = (i: number) => decodeSubmission(t.view, p.sqAddr + 48 * i);
    expect(at(0)).toEqual({ userData: 2n ** 53n - 1n, opcode: OP_NOP, flags: 0, fd: -1, bufAddr: 0, bufLen: 0, offset: 0, timeoutNs: 0n });
    expect(at(1)).toMatchObject({ userData: 2n ** 64n - 1n, opcode: OP_TIMEOUT, timeoutNs: 5_000_000_000n });
    expect(at(2)).toMatchObject({ userData: 1n, opcode: OP_READ, fd: 3, bufAddr: 100, bufLen: 7 });
    expect(at(3)).toMatchObject({ userData: 2n, opcode: OP_WRITE, fd: 4, bufAddr: 200, bufLen: 9 });
    expect(at(4)).toMatchObject({ userData: 3n, opcode: OP_IRQ_WAIT, fd: 5, bufAddr: 300, bufLen: 16 });
    expect(at(5)).toMatchObject({ userData: 4n, opcode: OP_IPC_SEND, fd: 6, bufAddr: 400 });
    expect(at(6)).toMatchObject({ userData: 5n, opcode: OP_IPC_RECV, fd: 7, bufAddr: 0 });
    expect(at(7)).toMatchObject({ userData: 0x1_0000_0001n, opcode: OP_RING_WAIT, fd: 8 });
    expect(() => p.nop(-1)).toThrow(RangeError);
    expect(() => p.timeout(-5)).toThrow(RangeError);
    p.close();
  });

  it("submit keeps what the port cannot admit yet; a full staging area submits itself", async () => {
    const sim = newSim({ kernel: { cqEntries: 2 } });
    const t = sim.spawn();
    const p = new Port(t, { sqEntries: 3 });
    p.nop(1).nop(2).nop(3);
    expect(p.submit()).toBe(2);
    expect(p.staged).toBe(1);
    expect(decodeSubmission(t.view, p.sqAddr).userData).toBe(3n);
    expect(p.submit()).toBe(0); // still no slot free
    p.nop(4).nop(5);
    // staging full and the port full: the builder reports EBUSY
    expect(() => p.nop(6)).toThrow(expect.objectContaining({ name: "EBUSY" }));
    const got = await p.wait(2);
    expect(got.map((c) => c.userData)).toEqual([1n, 2n]);
    expect((await p.wait(2)).map((c) => c.userData)).toEqual([3n, 4n]);
    expect((await p.wait(1)).map((c) => c.userData)).toEqual([5n]);
    p.close();
  });

  it("failed calls throw IoError; failed completions carry one", async () => {
    const sim = newSim();
    const t = sim.spawn();
    const bad = new Port(t, { fd: 40 });
    bad.nop();
    expect(() => bad.submit()).toThrow(expect.objectContaining({ name: "EBADF", syscall: "io_submit" }));
    const p = new Port(t);
    p.ringWait(33, 7).nop(8);
    const cs = p.poll();
    expect(cs).toHaveLength(2);
    expect(cs[0]).toMatchObject({ userData: 7n, result: -EBADF, opcode: OP_RING_WAIT });
    expect(cs[0]!.error).toBeInstanceOf(IoError);
    expect(cs[0]!.error!.name).toBe("EBADF");
    expect(cs[1]!.error).toBe(null);
    expect(p.cancel(99)).toBe(0);
    p.timeout(1000, 12);
    p.submit();
    expect(p.cancel(12)).toBe(1);
    expect(p.poll()).toMatchObject([{ userData: 12n, result: -ECANCELED }]);
    p.close();
    expect(() => p.drive(() => {})).toThrow(IoError);
  });
});

describe("Port completions", () => {
  it("wait() resolves plain completions", async () => {
    const sim = newSim();
    const t = sim.spawn();
    const p = new Port(t);
    p.nop(1).timeout(1000, 2);
    const cs = await sim.run(() => p.wait(2));
    expect(cs).toEqual([
      { userData: 1n, result: 0, flags: 0, opcode: OP_NOP, error: null },
      { userData: 2n, result: 0, flags: 0, opcode: OP_TIMEOUT, error: null },
    ]);
    expect(sim.now).toBe(1000);
  });

  it("for await iterates completions, re-submitting from the loop body; close() ends it", async () => {
    const sim = newSim();
    const t = sim.spawn();
    const p = new Port(t);
    p.timeout(100, 0);
    const seen: [number, number][] = [];
    await sim.run(async () => {
      for await (const c of p) {
        seen.push([Number(c.userData), sim.now]);
        if (c.userData < 4n) p.timeout(100, c.userData + 1n);
        else break;
      }
    });
    expect(seen).toEqual([
      [0, 100],
      [1, 200],
      [2, 300],
      [3, 400],
      [4, 500],
    ]);
    // close() while iterating ends the loop without an error
    p.timeout(1_000_000, 9);
    let ended = false;
    const it2 = (async () => {
      for await (const c of p) void c;
      ended = true;
    })();
    sim.after(50, () => p.close());
    await sim.run(() => it2);
    expect(ended).toBe(true);
  });

  it("close() with a wait() pending: the wait resolves [] (no unhandled rejection), as for await ends; a wait() after close() throws EBADF", async () => {
    const sim = newSim();
    const t = sim.spawn();
    const p = new Port(t);
    p.timeout(1_000_000, 1);
    const pending = p.wait(1);
    sim.after(50, () => p.close());
    await sim.run(async () => {
      expect(await pending).toEqual([]);
    });
    expect(sim.now).toBe(50);
    await expect(p.wait(1)).rejects.toMatchObject({ name: "EBADF", message: "wait (the Port is closed): bad file descriptor (errno 9)" });
    // for await on a closed Port ends at once
    const seen: unknown[] = [];
    for await (const c of p) seen.push(c);
    expect(seen).toEqual([]);
  });

  it("Message reads and writes an IpcMessage in place", async () => {
    const sim = newSim();
    const t = sim.spawn();
    const m = new Message(t);
    expect(m.decode()).toEqual({ tag: 0n, data: [0n, 0n, 0n], fds: [-1, -1, -1, -1] });
    m.tag = 2 ** 40 + 5;
    m.setData(0, 1).setData(2, 2 ** 53 - 1).setFds(3, 4);
    expect(m.tag).toBe(2 ** 40 + 5);
    expect([m.tagLo, m.tagHi]).toEqual([5, 256]);
    expect(m.data(2)).toBe(2 ** 53 - 1);
    expect([m.fd(0), m.fd(1), m.fd(2)]).toEqual([3, 4, -1]);
    m.setFd(3, 9);
    expect(m.decode()).toEqual({ tag: 2n ** 40n + 5n, data: [1n, 0n, 2n ** 53n - 1n], fds: [3, 4, -1, 9] });
    expect(() => (m.tag = -1)).toThrow(RangeError);
    m.clear();
    expect(m.decode().fds).toEqual([-1, -1, -1, -1]);
  });
});

describe("Port.drive (callback driver loop)", () => {
  it("handles completions found at once synchronously and later ones from the kernel's callback", async () => {
    const sim = newSim();
    const t = sim.spawn();
    const p = new Port(t);
    const log: string[] = [];
    let n = 0;
    p.nop(0);
    p.drive((c) => {
      log.push(`${c.opcode}:${c.userData}@${sim.now}`);
      n++;
      if (n < 3) p.nop(n);
      else if (n < 6) p.timeout(10, n);
      else p.stop();
    });
    expect(log).toEqual(["0:0@0", "0:1@0", "0:2@0"]);
    await sim.advance(100);
    expect(log).toEqual(["0:0@0", "0:1@0", "0:2@0", "1:3@10", "1:4@20", "1:5@30"]);
    expect(p.isDriving).toBe(false);
    p.close();
  });

  it("one reused CompletionView; error fields name the errno", () => {
    const sim = newSim();
    const t = sim.spawn();
    const p = new Port(t);
    const views = new Set<CompletionView>();
    const names: string[] = [];
    p.ringWait(50, 1).nop(2);
    p.drive((c) => {
      views.add(c);
      names.push(`${c.ok}:${c.errno}:${c.errorName}`);
      if (c.userData === 2) p.stop();
    });
    expect(views.size).toBe(1);
    expect(names).toEqual(["false:9:EBADF", "true:0:"]);
    p.close();
  });

  it("a handler exception stops the loop after the batch and is rethrown; onError keeps it going", async () => {
    const sim = newSim();
    const t = sim.spawn();
    const p = new Port(t);
    const seen: number[] = [];
    const boom = (c: CompletionView): void => {
      seen.push(c.userData);
      if (c.userData === 1 || c.userData === 3) throw new Error(`boom${c.userData}`);
    };
    // one batch found at once: the throw comes out of drive() after the whole batch
    p.nop(1).nop(2);
    expect(() => p.drive(boom)).toThrow("boom1");
    expect(seen).toEqual([1, 2]);
    expect(p.isDriving).toBe(false);
    // from the kernel's callback: it reaches the simulator
    p.timeout(10, 3);
    p.drive(boom);
    await expect(sim.advance(10)).rejects.toThrow("boom3");
    expect(p.isDriving).toBe(false);
    const errors: unknown[] = [];
    p.timeout(10, 3).timeout(20, 4);
    p.drive(
      (c) => {
        boom(c);
        p.stop();
      },
      { onError: (e) => errors.push(e) },
    );
    await sim.advance(20);
    expect(seen).toEqual([1, 2, 3, 3, 4]);
    expect(errors).toMatchObject([{ message: "boom3" }]);
    p.close();
  });

  it("closing the port stops the loop quietly; an outside close reports EBADF to onError", async () => {
    const sim = newSim();
    const t = sim.spawn();
    const p = new Port(t);
    p.timeout(1000, 1);
    p.drive(() => {});
    p.close();
    await sim.advance(2000);
    const q = new Port(t);
    q.timeout(1000, 1);
    const errs: unknown[] = [];
    q.drive(() => {}, { onError: (e) => errs.push(e) });
    t.sys.close(q.fd);
    await sim.advance(0);
    expect(errs).toMatchObject([{ name: "EBADF", syscall: "io_watch" }]);
  });

  it("two tasks ping-pong over channels with a notify doorbell, driven by callbacks", async () => {
    const sim = newSim();
    const a = sim.spawn({ name: "a" });
    const b = sim.spawn({ name: "b" });
    const ab = createChannel(a, 0);
    const ba = createChannel(a, 0);
    a.sys.svc_register("ab", ab.recv);
    a.sys.svc_register("ba", ba.send);
    a.sys.close(ab.recv);
    a.sys.close(ba.send);
    const bIn = b.sys.svc_lookup("ab");
    const bOut = b.sys.svc_lookup("ba");
    a.sys.svc_unregister("ab");
    a.sys.svc_unregister("ba");
    const pa = new Port(a);
    const pb = new Port(b);
    const ma = new Message(a);
    const mb = new Message(b);
    const ra = new Message(a);
    const rounds = 50;
    let got = 0;
    // b echoes tag + 1
    pb.ipcRecv(bIn, mb.addr, 1);
    pb.drive((c) => {
      if (c.opcode === OP_IPC_RECV && c.ok) {
        mb.tag = mb.tag + 1;
        pb.ipcSend(bOut, mb.addr, 2).ipcRecv(bIn, mb.addr, 1);
      }
    });
    pa.ipcRecv(ba.recv, ra.addr, 1);
    ma.tag = 0;
    pa.ipcSend(ab.send, ma.addr, 2);
    pa.drive((c) => {
      if (c.opcode !== OP_IPC_RECV) return;
      expect(ra.tag).toBe(got * 2 + 1);
      got++;
      if (got === rounds) {
        pa.stop();
        return;
      }
      ma.tag = ra.tag + 1;
      pa.ipcRecv(ba.recv, ra.addr, 1).ipcSend(ab.send, ma.addr, 2);
    });
    await sim.advance(0);
    expect(got).toBe(rounds);
    // the steady state made no new op or message records
    const ops = sim.kernel.opsAllocated;
    const msgs = sim.kernel.ipc!.msgsAllocated;
    expect(ops).toBeLessThan(16);
    expect(msgs).toBeLessThan(8);
    pb.stop();
    pa.close();
    pb.close();
  });

  it("the NOP driver loop's steady state allocates no op records", () => {
    const sim = newSim();
    const t = sim.spawn();
    const p = new Port(t);
    let left = 10_000;
    let afterWarmup = 0;
    p.nop(0);
    p.drive((c) => {
      if (--left === 0) return p.stop();
      if (left === 9_000) afterWarmup = sim.kernel.opsAllocated;
      p.nop(c.userData + 1);
    });
    expect(left).toBe(0);
    expect(sim.kernel.opsAllocated).toBe(afterWarmup);
    expect(afterWarmup).toBeLessThanOrEqual(2);
    p.close();
  });
});

describe("helpers", () => {
  it("createChannel and createNotify throw IoError on failure", () => {
    const sim = newSim();
    const t = sim.spawn();
    const n = createNotify(t);
    while (t.sys.dup(n) !== 63);
    expect(() => createChannel(t, 1)).toThrow(expect.objectContaining({ name: "EMFILE" }));
    expect(() => createNotify(t)).toThrow(expect.objectContaining({ name: "EMFILE" }));
  });
});
