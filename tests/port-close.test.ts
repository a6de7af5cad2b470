// §7 and §9: closing the last reference to a port.
import { describe, expect, it } from "vitest";
import { EBADF, OP_NOP, OP_TIMEOUT } from "../core/index.js";
import { drain, setup, submit } from "./helpers.js";

describe("port close", () => {
  it("cancels in-flight operations silently and releases their timers", async () => {
    const { sim, task, sys, port, kernel } = setup();
    submit(task, port, [{ opcode: OP_TIMEOUT, timeoutNs: 100 }, { opcode: OP_TIMEOUT, timeoutNs: 200 }]);
    expect(sim.platform.events.length).toBe(2);
    expect(sys.close(port)).toBe(0);
    expect(sim.platform.events.length).toBe(0);
    await sim.advance(1000);
    expect(kernel.liveObjects).toBe(0);
  });

  it("closing one of several references changes nothing", async () => {
    const { sim, task, sys, port } = setup();
    const d = sys.dup(port);
    submit(task, port, [{ userData: 1, opcode: OP_TIMEOUT, timeoutNs: 100 }]);
    sys.close(port);
    await sim.advance(100);
    expect((await drain(task, d)).map((c) => c.userData)).toEqual([1n]);
  });

  it("the closed fd is gone: -EBADF afterwards", async () => {
    const { task, sys, port } = setup();
    sys.close(port);
    expect(submit(task, port, [{ opcode: OP_NOP }])).toBe(-EBADF);
    expect(sys.close(port)).toBe(-EBADF);
    expect(await sys.io_wait(port, task.alloc(24), 1, 0, 0)).toBe(-EBADF);
  });

  it("queued completions are discarded and op records return to the pool", async () => {
    const { sim, task, sys, port, kernel } = setup();
    submit(task, port, [{ opcode: OP_NOP }, { opcode: OP_NOP }, { opcode: OP_TIMEOUT, timeoutNs: 5 }]);
    sys.close(port);
    const before = kernel.opsAllocated;
    const p2 = sys.io_create(0);
    submit(task, p2, [{ opcode: OP_NOP }, { opcode: OP_NOP }, { opcode: OP_NOP }]);
    expect(kernel.opsAllocated).toBe(before); // reused the three released records
    await sim.advance(10);
    expect(await drain(task, p2)).toHaveLength(3);
  });

  it("task.exit() closes the port like close()", async () => {
    const { sim, task, port, kernel } = setup();
    submit(task, port, [{ opcode: OP_TIMEOUT, timeoutNs: 100 }]);
    const w = task.sys.io_wait(port, task.alloc(24), 1, 1, 0);
    task.exit();
    await sim.advance(0);
    expect(await w).toBe(-EBADF);
    expect(kernel.liveObjects).toBe(0);
    expect(sim.platform.events.length).toBe(0);
  });
});
