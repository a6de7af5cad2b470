import { describe, it, expect } from "vitest";
import { Simulator } from "../host-sim/index.js";
import { OP_NOP, OP_TIMEOUT, encodeSubmission, decodeCompletion } from "../core/index.js";

describe("smoke", () => {
  it("nop + timeout", async () => {
    const sim = new Simulator({ seed: 1 });
    const t = sim.spawn({ memoryBytes: 4096 });
    const port = t.sys.io_create(0);
    const sqes = t.alloc(96);
    encodeSubmission(t.view, sqes, { userData: 1n, opcode: OP_NOP });
    encodeSubmission(t.view, sqes + 48, { userData: 0xffffffffffffffffn, opcode: OP_TIMEOUT, timeoutNs: 1000 });
    expect(t.sys.io_submit(port, sqes, 2)).toBe(2);
    const out = t.alloc(48);
    const n = await sim.run(() => t.sys.io_wait(port, out, 2, 2, 0));
    expect(n).toBe(2);
    expect(sim.now).toBe(1000);
    expect(decodeCompletion(t.view, out)).toEqual({ userData: 1n, result: 0, flags: 0, opcode: OP_NOP });
    expect(decodeCompletion(t.view, out + 24).userData).toBe(0xffffffffffffffffn);
  });
});
