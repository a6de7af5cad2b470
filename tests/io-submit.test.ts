// §3 io_submit: check order, per-entry errors as completions, admission.
import { describe, expect, it } from "vitest";
import { EBADF, EBUSY, EFAULT, EINVAL, OP_NOP, OP_TIMEOUT } from "../core/index.js";
import { drain, setup, submit, writeSqes } from "./helpers.js";

describe("io_submit", () => {
  it("count == 0 returns 0 and checks nothing else", () => {
    const { sys } = setup();
    expect(sys.io_submit(999, 0, 0)).toBe(0);
  });

  it("checks the entries range before the port fd", () => {
    const { task, sys } = setup({ memoryBytes: 4096 });
    expect(sys.io_submit(999, 0, 1)).toBe(-EFAULT); // NULL
    expect(sys.io_submit(999, 4096 - 47, 1)).toBe(-EFAULT); // runs past the end
    expect(sys.io_submit(999, 4096 - 48, 2)).toBe(-EFAULT);
    const at = task.alloc(48);
    expect(sys.io_submit(999, at, 1)).toBe(-EBADF);
  });

  it("a valid range at the very end of memory is accepted", () => {
    const { task, sys, port } = setup({ memoryBytes: 4096 });
    expect(sys.io_submit(port, 4096 - 48, 1)).toBe(1); // zeroed memory = NOP
    void task;
  });

  it("-EBADF for an fd that is not a port", () => {
    const { task, sys, port } = setup();
    const at = writeSqes(task, [{ opcode: OP_NOP }]);
    expect(sys.io_submit(port + 1, at, 1)).toBe(-EBADF);
    expect(sys.io_submit(-1, at, 1)).toBe(-EBADF);
    expect(sys.io_submit(64, at, 1)).toBe(-EBADF);
    expect(sys.io_submit(0.5, at, 1)).toBe(-EBADF);
  });

  it("non-u32 count gives -EINVAL", () => {
    const { task, sys, port } = setup();
    const at = writeSqes(task, [{ opcode: OP_NOP }]);
    expect(sys.io_submit(port, at, -1)).toBe(-EINVAL);
    expect(sys.io_submit(port, at, 1.5)).toBe(-EINVAL);
    expect(sys.io_submit(port, at, "1" as unknown as number)).toBe(-EINVAL);
  });

  it("per-entry errors become completions in order and count as accepted", async () => {
    const { task, sys, port } = setup();
    expect(
      submit(task, port, [
        { userData: 1, opcode: OP_NOP },
        { userData: 2, opcode: 99 },
        { userData: 3, opcode: OP_NOP, flags: 1 },
        { userData: 4, opcode: OP_NOP },
      ]),
    ).toBe(4);
    const c = await drain(task, port);
    expect(c.map((x) => [x.userData, x.result, x.opcode])).toEqual([
      [1n, 0, OP_NOP],
      [2n, -EINVAL, 99],
      [3n, -EINVAL, OP_NOP],
      [4n, 0, OP_NOP],
    ]);
    void sys;
  });

  it("flags are checked before the opcode", async () => {
    const { task, port } = setup();
    submit(task, port, [{ opcode: 1234, flags: 0x80000000 }]);
    const [c] = await drain(task, port);
    expect(c?.result).toBe(-EINVAL);
    expect(c?.opcode).toBe(1234);
  });

  it("admission: accepts up to the free slots, then -EBUSY", async () => {
    const { task, sys, port } = setup({ cqEntries: 4 });
    expect(submit(task, port, [{ opcode: OP_NOP }, { opcode: OP_NOP }, { opcode: OP_NOP }])).toBe(3);
    const six = writeSqes(task, Array.from({ length: 6 }, (_, i) => ({ userData: 10 + i, opcode: OP_NOP })));
    expect(sys.io_submit(port, six, 6)).toBe(1); // one slot left
    expect(sys.io_submit(port, six, 6)).toBe(-EBUSY);
    // reaping frees slots
    const got = await drain(task, port, 2);
    expect(got).toHaveLength(2);
    expect(sys.io_submit(port, six, 6)).toBe(2);
    const rest = await drain(task, port);
    expect(rest.map((c) => c.userData)).toEqual([0n, 10n, 10n, 11n]);
  });

  it("an in-flight operation holds its slot until its completion is reaped", async () => {
    const { sim, task, sys, port } = setup({ cqEntries: 2 });
    expect(submit(task, port, [{ opcode: OP_TIMEOUT, timeoutNs: 1000 }, { opcode: OP_TIMEOUT, timeoutNs: 2000 }])).toBe(2);
    expect(submit(task, port, [{ opcode: OP_NOP }])).toBe(-EBUSY);
    await sim.advance(5000);
    expect(submit(task, port, [{ opcode: OP_NOP }])).toBe(-EBUSY); // completed but not reaped
    expect(await drain(task, port, 1)).toHaveLength(1);
    expect(submit(task, port, [{ opcode: OP_NOP }])).toBe(1);
    void sys;
  });

  it("never drops a completion, however many are submitted over time", async () => {
    const { task, sys, port } = setup({ cqEntries: 8 });
    const at = writeSqes(task, Array.from({ length: 8 }, (_, i) => ({ userData: i, opcode: OP_NOP })));
    let submitted = 0;
    let reaped = 0;
    for (let round = 0; round < 100; round++) {
      const r = sys.io_submit(port, at, 8);
      submitted += r > 0 ? r : 0;
      reaped += (await drain(task, port, 3)).length;
    }
    reaped += (await drain(task, port)).length;
    expect(reaped).toBe(submitted);
    expect(submitted).toBeGreaterThan(300);
  });
});
