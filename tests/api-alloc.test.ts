/**
 * The callback driver loop allocates nothing per operation in steady state.
 * Measured in a child Node (tests/alloc/driver-loop.ts) with a forced GC, a
 * 64 MB young generation so no GC runs during the measurement, and 100k round
 * trips per loop: NOP, OP_TIMEOUT(0) through the kernel's callback path, IPC
 * ping-pong between two tasks, notify. A control loop that allocates one
 * small object per operation must show up at >= 16 bytes per operation, so
 * the meter is known to see allocation.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

interface Result {
  name: string;
  ops: number;
  heapDelta: number;
  bytesPerOp: number;
  opsAllocatedDuring: number;
  msgsAllocatedDuring: number;
  gcs: number;
}

describe("driver loop allocation", () => {
  it("100k round trips per loop: no op or message records, no heap growth per operation", () => {
    const script = fileURLToPath(new URL("./alloc/driver-loop.ts", import.meta.url));
    const out = execFileSync(
      process.execPath,
      ["--expose-gc", "--min-semi-space-size=64", "--max-semi-space-size=64", "--import", "tsx", script, "100000"],
      { encoding: "utf8", cwd: fileURLToPath(new URL("..", import.meta.url)) },
    );
    const results = JSON.parse(out.trim().split("\n").pop()!) as Result[];
    const by = new Map(results.map((r) => [r.name, r]));
    const control = by.get("control-allocating-nop")!;
    expect(control.gcs).toBe(0);
    expect(control.bytesPerOp).toBeGreaterThanOrEqual(16);
    for (const name of ["nop", "timeout0-callback", "ipc-pingpong", "notify"]) {
      const r = by.get(name)!;
      expect(r.gcs, name).toBe(0);
      expect(r.opsAllocatedDuring, name).toBe(0);
      expect(r.msgsAllocatedDuring, name).toBe(0);
      // a few KB of one-off growth at most: far below one 16-byte object per operation
      expect(r.bytesPerOp, `${name}: ${r.heapDelta} bytes over ${r.ops} ops`).toBeLessThan(0.5);
    }
  });
});
