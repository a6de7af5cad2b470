// §3 io_wait_cb: the Promise-free wait of the driver loop.
import { describe, expect, it } from "vitest";
import { EBADF, EBUSY, EFAULT, EINPROGRESS, EINVAL, OP_NOP, OP_TIMEOUT } from "../core/index.js";
import { readCqes, setup, submit, writeSqes } from "./helpers.js";

describe("io_wait_cb", () => {
  it("satisfied at once: returns n, writes completions, never calls back", async () => {
    const { sim, task, sys, port } = setup();
    submit(task, port, [{ userData: 1, opcode: OP_NOP }, { userData: 2, opcode: OP_NOP }]);
    const out = task.alloc(48);
    const calls: number[] = [];
    expect(sys.io_wait_cb(port, out, 2, 1, 0, (n) => calls.push(n))).toBe(2);
    await sim.advance(1000);
    expect(calls).toEqual([]);
    expect(readCqes(task, out, 2).map((c) => c.userData)).toEqual([1n, 2n]);
  });

  it("errors found at once are returned, in io_wait's order", () => {
    const { task, sys, port } = setup({ memoryBytes: 4096 });
    const cb = () => {};
    expect(sys.io_wait_cb(999, 0, 0, 0, 0, cb)).toBe(0);
    expect(sys.io_wait_cb(999, 0, 1, 0, 0, cb)).toBe(-EFAULT);
    expect(sys.io_wait_cb(999, task.alloc(24), 1, 0, 0, cb)).toBe(-EBADF);
    expect(sys.io_wait_cb(port, task.alloc(24), 1, 0, 0, null as unknown as () => void)).toBe(-EINVAL);
  });

  it("otherwise -EINPROGRESS, then exactly one callback with io_wait's result", async () => {
    const { sim, task, sys, port } = setup();
    const out = task.alloc(24 * 4);
    const calls: number[] = [];
    submit(task, port, [{ userData: 3, opcode: OP_TIMEOUT, timeoutNs: 500 }]);
    expect(sys.io_wait_cb(port, out, 4, 1, 0, (n) => calls.push(n))).toBe(-EINPROGRESS);
    await sim.advance(499);
    expect(calls).toEqual([]);
    await sim.advance(1);
    expect(calls).toEqual([1]);
    expect(readCqes(task, out, 1)[0]?.userData).toBe(3n);
    await sim.advance(10_000);
    expect(calls).toEqual([1]);
  });

  it("the callback runs once the satisfying syscall has done all its work, before control returns to its caller", () => {
    const { task, sys, port } = setup();
    const out = task.alloc(24 * 4);
    const log: string[] = [];
    expect(sys.io_wait_cb(port, out, 4, 2, 0, (n) => log.push(`cb ${n}`))).toBe(-EINPROGRESS);
    const sqes = writeSqes(task, [{ opcode: OP_NOP }, { opcode: OP_NOP }]);
    log.push("submit");
    const r = sys.io_submit(port, sqes, 2);
    log.push(`returned ${r}`);
    // callback ran synchronously after the submit finished (same turn, no promise job),
    // and saw both completions
    expect(log).toEqual(["submit", "cb 2", "returned 2"]);
  });

  it("runs in the same turn as the event, with no promise job in between", async () => {
    const { sim, task, sys, port } = setup();
    const out = task.alloc(24);
    const order: string[] = [];
    submit(task, port, [{ opcode: OP_TIMEOUT, timeoutNs: 10 }]);
    sys.io_wait_cb(port, out, 1, 1, 0, () => {
      order.push("cb");
      void Promise.resolve().then(() => order.push("microtask after cb"));
    });
    sim.after(10, () => {
      // scheduled after the timeout at the same instant: runs after the timer event
      order.push("next event");
    });
    await sim.advance(10);
    expect(order).toEqual(["cb", "microtask after cb", "next event"]);
  });

  it("a callback may wait again at once (persistent driver loop)", async () => {
    const { sim, task, sys, port } = setup();
    const out = task.alloc(24);
    const seen: bigint[] = [];
    const sqe = writeSqes(task, [{ opcode: OP_TIMEOUT, timeoutNs: 100 }]);
    let rounds = 0;
    const onDone = (n: number): void => {
      expect(n).toBe(1);
      seen.push(readCqes(task, out, 1)[0]!.userData);
      if (++rounds < 5) {
        task.view.setUint32(sqe, rounds, true); // user_data lo
        expect(sys.io_submit(port, sqe, 1)).toBe(1);
        expect(sys.io_wait_cb(port, out, 1, 1, 0, onDone)).toBe(-EINPROGRESS);
      }
    };
    sys.io_submit(port, sqe, 1);
    sys.io_wait_cb(port, out, 1, 1, 0, onDone);
    await sim.advance(1000);
    expect(seen).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect(sim.now).toBe(1000);
  });

  it("shares the one-waiter rule with io_wait", async () => {
    const { task, sys, port } = setup();
    const out = task.alloc(24);
    expect(sys.io_wait_cb(port, out, 1, 1, 0, () => {})).toBe(-EINPROGRESS);
    expect(sys.io_wait_cb(port, out, 1, 1, 0, () => {})).toBe(-EBUSY);
    expect(await sys.io_wait(port, out, 1, 0, 0)).toBe(-EBUSY);
  });

  it("timeout: calls back with what is queued then (0 here)", async () => {
    const { sim, task, sys, port } = setup();
    const calls: number[] = [];
    sys.io_wait_cb(port, task.alloc(24), 1, 1, 250, (n) => calls.push(n));
    await sim.advance(249);
    expect(calls).toEqual([]);
    await sim.advance(1);
    expect(calls).toEqual([0]);
  });

  it("port closed while waiting: callback gets -EBADF once close has done its work", () => {
    const { task, sys, port } = setup();
    const log: string[] = [];
    sys.io_wait_cb(port, task.alloc(24), 1, 1, 0, (n) => log.push(`cb ${n}`));
    log.push("close");
    sys.close(port);
    log.push("closed");
    expect(log).toEqual(["close", `cb ${-EBADF}`, "closed"]);
  });

  it("an exception thrown by the callback does not break the kernel; the simulator reports it", async () => {
    const { sim, task, sys, port } = setup();
    submit(task, port, [{ opcode: OP_TIMEOUT, timeoutNs: 5 }]);
    sys.io_wait_cb(port, task.alloc(24), 1, 1, 0, () => {
      throw new Error("user bug");
    });
    await expect(sim.advance(10)).rejects.toThrow("user bug");
    // the kernel carries on
    submit(task, port, [{ userData: 77, opcode: OP_NOP }]);
    const out = task.alloc(24);
    expect(await sys.io_wait(port, out, 1, 1, 0)).toBe(1);
  });
});
