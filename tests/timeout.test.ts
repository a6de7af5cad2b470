// §4.2 OP_TIMEOUT and §9 Timers: exact virtual times, never early, 0 is a timer event due now.
import { describe, expect, it } from "vitest";
import { EINVAL, OP_NOP, OP_TIMEOUT } from "../core/index.js";
import { drain, setup, submit, waitFor, writeSqes } from "./helpers.js";

describe("OP_TIMEOUT", () => {
  it("completes exactly timeout_ns after submission with result 0", async () => {
    const { sim, task, port } = setup();
    await sim.advance(1234);
    submit(task, port, [{ userData: 1, opcode: OP_TIMEOUT, timeoutNs: 1_000_000 }]);
    await sim.advance(999_999);
    expect(await drain(task, port)).toEqual([]);
    await sim.advance(1);
    expect(await drain(task, port)).toEqual([{ userData: 1n, result: 0, flags: 0, opcode: OP_TIMEOUT }]);
    expect(sim.now).toBe(1234 + 1_000_000);
  });

  it("several timeouts complete in time order, ties in submission order", async () => {
    const { sim, task, port } = setup();
    submit(task, port, [
      { userData: 1, opcode: OP_TIMEOUT, timeoutNs: 300 },
      { userData: 2, opcode: OP_TIMEOUT, timeoutNs: 100 },
      { userData: 3, opcode: OP_TIMEOUT, timeoutNs: 300 },
      { userData: 4, opcode: OP_TIMEOUT, timeoutNs: 200 },
    ]);
    const c = await waitFor(sim, task, port, 4);
    expect(c.map((x) => x.userData)).toEqual([2n, 4n, 1n, 3n]);
  });

  it("timeout 0 never completes inside io_submit; it completes at the next advance, even advance(0)", async () => {
    const { sim, task, sys, port } = setup();
    const at = writeSqes(task, [{ userData: 1, opcode: OP_TIMEOUT, timeoutNs: 0 }]);
    expect(sys.io_submit(port, at, 1)).toBe(1);
    expect(await drain(task, port)).toEqual([]);
    await Promise.resolve();
    expect(await drain(task, port)).toEqual([]);
    await sim.advance(0);
    expect((await drain(task, port)).map((c) => c.userData)).toEqual([1n]);
    expect(sim.now).toBe(0);
  });

  it("timeout 0 completes after the events already due at that instant", async () => {
    const { sim, task, sys, port } = setup();
    const order: string[] = [];
    sim.after(0, () => order.push("earlier event"));
    submit(task, port, [{ opcode: OP_TIMEOUT, timeoutNs: 0 }]);
    sim.after(0, () => order.push("later event"));
    sys.io_wait_cb(port, task.alloc(24), 1, 1, 0, (n) => order.push(`timeout completed (${n})`));
    await sim.advance(0);
    expect(order).toEqual(["earlier event", "timeout completed (1)", "later event"]);
  });

  it("a negative (top-bit) timeout_ns completes -EINVAL at once", async () => {
    const { task, port } = setup();
    submit(task, port, [{ userData: 1, opcode: OP_TIMEOUT, timeoutNs: 1n << 63n }]);
    expect((await drain(task, port)).map((c) => c.result)).toEqual([-EINVAL]);
  });

  it("bigint timeouts beyond 2^32 ns work (about 4.3 s)", async () => {
    const { sim, task, port } = setup();
    submit(task, port, [{ opcode: OP_TIMEOUT, timeoutNs: 5_000_000_000n }]);
    await waitFor(sim, task, port, 1);
    expect(sim.now).toBe(5_000_000_000);
  });
});

describe("OP_NOP", () => {
  it("completes at once (before io_submit returns) with result 0, opcode echoed, flags 0", async () => {
    const { task, port } = setup();
    submit(task, port, [{ userData: 0xffff_ffff_ffff_ffffn, opcode: OP_NOP, fd: 12345 }]);
    expect(await drain(task, port)).toEqual([{ userData: 0xffff_ffff_ffff_ffffn, result: 0, flags: 0, opcode: OP_NOP }]);
  });
});
