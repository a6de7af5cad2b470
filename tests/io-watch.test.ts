// io_watch / io_unwatch (ioport extension, docs/spec.md §3): a persistent
// io_wait_cb — one registration, a callback after every event that queues
// completions, until io_unwatch or close.
import { describe, expect, it } from "vitest";
import { EBADF, EBUSY, EFAULT, EINVAL, ENOENT, IOSQE_MULTISHOT, IRQ_RISING, OP_IRQ_WAIT, OP_NOP, OP_TIMEOUT } from "../core/index.js";
import { readCqes, setup, submit, writeSqes } from "./helpers.js";

describe("io_watch", () => {
  it("calls back after every event that queues completions, with them reaped, until io_unwatch", async () => {
    const { sim, task, sys, port } = setup();
    const out = task.alloc(24 * 4);
    const got: bigint[][] = [];
    expect(sys.io_watch(port, out, 4, (n) => got.push(readCqes(task, out, n).map((c) => c.userData)))).toBe(0);
    submit(task, port, [
      { userData: 1, opcode: OP_TIMEOUT, timeoutNs: 100 },
      { userData: 2, opcode: OP_TIMEOUT, timeoutNs: 200 },
      { userData: 3, opcode: OP_TIMEOUT, timeoutNs: 200 },
    ]);
    await sim.advance(100);
    await sim.advance(100);
    expect(got).toEqual([[1n], [2n], [3n]]); // one event each: the two timers at 200 are two events
    submit(task, port, [{ userData: 4, opcode: OP_NOP }, { userData: 5, opcode: OP_NOP }]);
    expect(got.at(-1)).toEqual([4n, 5n]); // after the submit, in the same turn
    expect(sys.io_unwatch(port)).toBe(0);
    submit(task, port, [{ userData: 6, opcode: OP_NOP }]);
    await sim.advance(10);
    expect(got).toHaveLength(4);
    expect(await sys.io_wait(port, out, 4, 0, 0)).toBe(1); // still queued for whoever waits next
  });

  it("delivers at most max per call and calls again while completions remain", () => {
    const { task, sys, port } = setup();
    const out = task.alloc(24 * 2);
    const sizes: number[] = [];
    sys.io_watch(port, out, 2, (n) => sizes.push(n));
    submit(task, port, [1, 2, 3, 4, 5].map((u) => ({ userData: u, opcode: OP_NOP })));
    expect(sizes).toEqual([2, 2, 1]);
  });

  it("completions already queued are delivered when io_watch returns, not inside it", () => {
    const { task, sys, port } = setup();
    submit(task, port, [{ userData: 1, opcode: OP_NOP }]);
    const log: string[] = [];
    const r = sys.io_watch(port, task.alloc(24), 1, (n) => log.push(`cb ${n}`));
    log.push(`returned ${r}`);
    expect(log).toEqual(["cb 1", "returned 0"]);
  });

  it("is the port's one waiter; checks its arguments; io_unwatch without a watch is -ENOENT", async () => {
    const { task, sys, port } = setup({ memoryBytes: 4096 });
    const cb = () => {};
    expect(sys.io_watch(port, task.alloc(24), 1, null as unknown as () => void)).toBe(-EINVAL);
    expect(sys.io_watch(port, task.alloc(24), 0, cb)).toBe(-EINVAL);
    expect(sys.io_watch(port, 0, 1, cb)).toBe(-EFAULT);
    expect(sys.io_watch(port + 9, task.alloc(24), 1, cb)).toBe(-EBADF);
    expect(sys.io_unwatch(port)).toBe(-ENOENT);
    expect(sys.io_watch(port, task.alloc(24), 1, cb)).toBe(0);
    expect(sys.io_watch(port, task.alloc(24), 1, cb)).toBe(-EBUSY);
    expect(await sys.io_wait(port, task.alloc(24), 1, 0, 0)).toBe(-EBUSY);
    expect(sys.io_wait_cb(port, task.alloc(24), 1, 1, 0, cb)).toBe(-EBUSY);
    expect(sys.io_unwatch(port + 9)).toBe(-EBADF);
  });

  it("closing the port calls back once with -EBADF", () => {
    const { task, sys, port } = setup();
    const calls: number[] = [];
    sys.io_watch(port, task.alloc(24), 1, (n) => calls.push(n));
    sys.close(port);
    expect(calls).toEqual([-EBADF]);
  });

  it("with a multishot IRQ arm, the steady state is one callback per interrupt and no syscall at all", async () => {
    const { sim, task, sys, port, kernel } = setup();
    const line = sys.irq_create(3, IRQ_RISING);
    const ev = task.alloc(16);
    const out = task.alloc(24 * 4);
    let interrupts = 0;
    sys.io_watch(port, out, 4, (n) => {
      for (let i = 0; i < n; i++) interrupts += task.view.getUint32(ev + 8, true);
    });
    const at = writeSqes(task, [{ opcode: OP_IRQ_WAIT, flags: IOSQE_MULTISHOT, fd: line, bufAddr: ev, bufLen: 16, userData: 1 }]);
    expect(sys.io_submit(port, at, 1)).toBe(1);
    let syscalls = 0;
    kernel.tracer = { syscall: () => syscalls++, submit() {}, complete() {}, reap() {}, irq() {} };
    for (let i = 0; i < 50; i++) {
      sim.gpio(3).drive(1);
      sim.gpio(3).drive(0);
      await sim.advance(1000);
    }
    expect(interrupts).toBe(50);
    expect(syscalls).toBe(0);
    expect(kernel.opsAllocated).toBe(1);
  });
});
