// §3 io_wait: check order, min/max, polling, timeouts, one waiter, close.
import { describe, expect, it } from "vitest";
import { EBADF, EBUSY, EFAULT, EINVAL, OP_NOP, OP_TIMEOUT } from "../core/index.js";
import { readCqes, setup, submit } from "./helpers.js";

describe("io_wait", () => {
  it("max == 0 resolves 0 without checking anything else", async () => {
    const { sys } = setup();
    expect(await sys.io_wait(999, 0, 0, 5, -1)).toBe(0);
  });

  it("checks the out range, then the port", async () => {
    const { task, sys } = setup({ memoryBytes: 4096 });
    expect(await sys.io_wait(999, 0, 1, 0, 0)).toBe(-EFAULT);
    expect(await sys.io_wait(999, 4096 - 24, 2, 0, 0)).toBe(-EFAULT);
    expect(await sys.io_wait(999, task.alloc(24), 1, 0, 0)).toBe(-EBADF);
  });

  it("u32 arguments: negative or non-integer max/min give -EINVAL; so does a negative timeout", async () => {
    const { task, sys, port } = setup();
    const out = task.alloc(48);
    expect(await sys.io_wait(port, out, -1, 0, 0)).toBe(-EINVAL);
    expect(await sys.io_wait(port, out, 1.5, 0, 0)).toBe(-EINVAL);
    expect(await sys.io_wait(port, out, 1, -1, 0)).toBe(-EINVAL);
    expect(await sys.io_wait(port, out, 1, 0.5, 0)).toBe(-EINVAL);
    expect(await sys.io_wait(port, out, 1, 0, -5)).toBe(-EINVAL);
    expect(await sys.io_wait(port, out, 1, 0, -5n)).toBe(-EINVAL);
  });

  it("min == 0 is a poll: resolves at once with what is queued, possibly 0", async () => {
    const { task, sys, port } = setup();
    const out = task.alloc(24 * 4);
    expect(await sys.io_wait(port, out, 4, 0, 0)).toBe(0);
    submit(task, port, [{ userData: 7, opcode: OP_NOP }]);
    expect(await sys.io_wait(port, out, 4, 0, 0)).toBe(1);
    expect(readCqes(task, out, 1)[0]?.userData).toBe(7n);
  });

  it("returns at most max, oldest first; the rest stay queued", async () => {
    const { task, sys, port } = setup();
    submit(task, port, [1, 2, 3, 4, 5].map((u) => ({ userData: u, opcode: OP_NOP })));
    const out = task.alloc(24 * 5);
    expect(await sys.io_wait(port, out, 2, 1, 0)).toBe(2);
    expect(readCqes(task, out, 2).map((c) => c.userData)).toEqual([1n, 2n]);
    expect(await sys.io_wait(port, out, 5, 1, 0)).toBe(3);
    expect(readCqes(task, out, 3).map((c) => c.userData)).toEqual([3n, 4n, 5n]);
  });

  it("writes only the n entries it returns", async () => {
    const { task, sys, port } = setup();
    submit(task, port, [{ userData: 1, opcode: OP_NOP }]);
    const out = task.alloc(24 * 3);
    task.memory.fill(0xaa, out, out + 72);
    expect(await sys.io_wait(port, out, 3, 0, 0)).toBe(1);
    expect([...task.memory.subarray(out + 24, out + 72)].every((b) => b === 0xaa)).toBe(true);
  });

  it("min is capped at max", async () => {
    const { sim, task, sys, port } = setup();
    submit(task, port, [{ userData: 1, opcode: OP_TIMEOUT, timeoutNs: 100 }]);
    const out = task.alloc(24);
    const n = await sim.run(() => sys.io_wait(port, out, 1, 10, 0));
    expect(n).toBe(1);
    expect(sim.now).toBe(100);
  });

  it("blocks until min completions are queued, and wakes with everything one submit posted", async () => {
    const { sim, task, sys, port } = setup();
    const out = task.alloc(24 * 8);
    let result: number | undefined;
    void sys.io_wait(port, out, 8, 1, 0).then((n) => (result = n));
    await sim.advance(0);
    expect(result).toBeUndefined();
    submit(task, port, [1, 2, 3].map((u) => ({ userData: u, opcode: OP_NOP })));
    await sim.advance(0);
    expect(result).toBe(3);
    expect(readCqes(task, out, 3).map((c) => c.userData)).toEqual([1n, 2n, 3n]);
  });

  it("a timeout is not an error: resolves with what is queued at expiry", async () => {
    const { sim, task, sys, port } = setup();
    const out = task.alloc(24 * 4);
    submit(task, port, [{ userData: 1, opcode: OP_TIMEOUT, timeoutNs: 300 }]);
    const n = await sim.run(() => sys.io_wait(port, out, 4, 2, 1000));
    expect(n).toBe(1);
    expect(sim.now).toBe(1000);
    const m = await sim.run(() => sys.io_wait(port, out, 4, 1, 500n));
    expect(m).toBe(0);
    expect(sim.now).toBe(1500);
  });

  it("timeout 0 waits forever (until satisfied)", async () => {
    const { sim, task, sys, port } = setup();
    const out = task.alloc(24);
    submit(task, port, [{ opcode: OP_TIMEOUT, timeoutNs: 10_000_000_000 }]);
    expect(await sim.run(() => sys.io_wait(port, out, 1, 1, 0))).toBe(1);
    expect(sim.now).toBe(10_000_000_000);
  });

  it("one waiter per port: a second wait, even a poll, resolves -EBUSY and the first is unaffected", async () => {
    const { sim, task, sys, port } = setup();
    const out = task.alloc(24 * 2);
    const first = sys.io_wait(port, out, 1, 1, 0);
    expect(await sys.io_wait(port, out + 24, 1, 1, 0)).toBe(-EBUSY);
    expect(await sys.io_wait(port, out + 24, 1, 0, 0)).toBe(-EBUSY);
    submit(task, port, [{ userData: 9, opcode: OP_NOP }]);
    await sim.advance(0);
    expect(await first).toBe(1);
    expect(readCqes(task, out, 1)[0]?.userData).toBe(9n);
  });

  it("closing the port while a wait is pending resolves it -EBADF", async () => {
    const { sim, task, sys, port } = setup();
    const out = task.alloc(24);
    const w = sys.io_wait(port, out, 1, 1, 0);
    expect(sys.close(port)).toBe(0);
    await sim.advance(0);
    expect(await w).toBe(-EBADF);
  });

  it("a pending wait on a dup'd port survives closing one fd", async () => {
    const { sim, task, sys, port } = setup();
    const d = sys.dup(port);
    const out = task.alloc(24);
    let r: number | undefined;
    void sys.io_wait(port, out, 1, 1, 0).then((n) => (r = n));
    sys.close(port);
    await sim.advance(0);
    expect(r).toBeUndefined();
    submit(task, d, [{ opcode: OP_NOP }]);
    await sim.advance(0);
    expect(r).toBe(1);
  });

  it("completions are reaped into the waiting task's memory", async () => {
    const { sim, task, port } = setup();
    void sim;
    const other = sim.spawn();
    // the same port is not visible to another task without fd passing; the waiter is the caller
    submit(task, port, [{ userData: 5, opcode: OP_NOP }]);
    const out = task.alloc(24);
    expect(await task.sys.io_wait(port, out, 1, 1, 0)).toBe(1);
    expect(readCqes(task, out, 1)[0]?.userData).toBe(5n);
    expect(await other.sys.io_wait(port, other.alloc(24), 1, 0, 0)).toBe(-EBADF);
  });
});
