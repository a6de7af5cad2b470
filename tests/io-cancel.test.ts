// §3 io_cancel: cancels in-flight operations by user_data; queued completions are not touched.
import { describe, expect, it } from "vitest";
import { EBADF, ECANCELED, EINVAL, ENOENT, OP_NOP, OP_TIMEOUT } from "../core/index.js";
import { drain, setup, submit, waitFor } from "./helpers.js";

describe("io_cancel", () => {
  it("cancels every in-flight match, in submission order, each -ECANCELED", async () => {
    const { sim, task, sys, port } = setup();
    submit(task, port, [
      { userData: 1, opcode: OP_TIMEOUT, timeoutNs: 100 },
      { userData: 2, opcode: OP_TIMEOUT, timeoutNs: 200 },
      { userData: 1, opcode: OP_TIMEOUT, timeoutNs: 50 },
    ]);
    expect(sys.io_cancel(port, 1n)).toBe(2);
    const c = await drain(task, port);
    expect(c.map((x) => [x.userData, x.result, x.opcode])).toEqual([
      [1n, -ECANCELED, OP_TIMEOUT],
      [1n, -ECANCELED, OP_TIMEOUT],
    ]);
    // the other one still fires, and the cancelled timers never do
    const rest = await waitFor(sim, task, port, 1);
    expect(rest.map((x) => [x.userData, x.result])).toEqual([[2n, 0]]);
    expect(sim.now).toBe(200);
    await sim.advance(1000);
    expect(await drain(task, port)).toEqual([]);
  });

  it("matches all 64 bits; user_data as bigint, [lo, hi] or a safe integer", async () => {
    const { task, sys, port } = setup();
    const big = 0xdeadbeef_00000001n;
    submit(task, port, [
      { userData: big, opcode: OP_TIMEOUT, timeoutNs: 100 },
      { userData: 1n, opcode: OP_TIMEOUT, timeoutNs: 100 },
      { userData: 0x1_0000_0000n, opcode: OP_TIMEOUT, timeoutNs: 100 },
    ]);
    expect(sys.io_cancel(port, [1, 0xdeadbeef])).toBe(1);
    expect(sys.io_cancel(port, 2 ** 32)).toBe(1);
    expect(sys.io_cancel(port, 1)).toBe(1);
    expect((await drain(task, port)).map((c) => c.userData)).toEqual([big, 0x1_0000_0000n, 1n]);
  });

  it("-ENOENT when nothing matches; a queued completion is not cancelled", async () => {
    const { task, sys, port } = setup();
    submit(task, port, [{ userData: 5, opcode: OP_NOP }]);
    expect(sys.io_cancel(port, 5n)).toBe(-ENOENT);
    expect((await drain(task, port)).map((c) => c.result)).toEqual([0]);
  });

  it("bad arguments: -EINVAL for user_data, -EBADF for the port", () => {
    const { sys, port } = setup();
    expect(sys.io_cancel(port, "x" as unknown as bigint)).toBe(-EINVAL);
    expect(sys.io_cancel(port, [1] as unknown as [number, number])).toBe(-EINVAL);
    expect(sys.io_cancel(port, -1)).toBe(-EINVAL);
    expect(sys.io_cancel(port + 7, 1n)).toBe(-EBADF);
  });

  it("only this port's operations are cancelled", async () => {
    const { task, sys, port } = setup();
    const p2 = sys.io_create(0);
    submit(task, port, [{ userData: 1, opcode: OP_TIMEOUT, timeoutNs: 100 }]);
    submit(task, p2, [{ userData: 1, opcode: OP_TIMEOUT, timeoutNs: 100 }]);
    expect(sys.io_cancel(p2, 1n)).toBe(1);
    expect(await drain(task, port)).toEqual([]);
    expect((await drain(task, p2)).map((c) => c.result)).toEqual([-ECANCELED]);
  });

  it("a cancelled operation's completion still holds its slot until reaped", async () => {
    const { task, sys, port } = setup({ cqEntries: 1 });
    submit(task, port, [{ userData: 1, opcode: OP_TIMEOUT, timeoutNs: 100 }]);
    expect(sys.io_cancel(port, 1n)).toBe(1);
    expect(submit(task, port, [{ opcode: OP_NOP }])).toBe(-16);
    expect(await drain(task, port)).toHaveLength(1);
    expect(submit(task, port, [{ opcode: OP_NOP }])).toBe(1);
  });
});
