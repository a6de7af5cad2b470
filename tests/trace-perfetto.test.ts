// Perfetto trace-event JSON of syscalls, operations and reaps: valid,
// complete (every op begins and ends), and byte-identical for the same run.
import { describe, expect, it } from "vitest";
import { OP_NOP, OP_TIMEOUT } from "../core/index.js";
import { PerfettoTrace } from "../host-sim/trace/perfetto.js";
import { setup, submit, waitFor } from "./helpers.js";

async function traced(seed: number): Promise<string> {
  const { sim, task, sys, port, kernel } = setup({ seed });
  const trace = new PerfettoTrace(() => sim.now);
  kernel.tracer = trace;
  submit(task, port, [{ userData: 1, opcode: OP_NOP }, { userData: 2, opcode: OP_TIMEOUT, timeoutNs: 1500 }, { userData: 3, opcode: 77 }]);
  await waitFor(sim, task, port, 3);
  sys.close(port);
  return trace.toJSON();
}

describe("Perfetto trace", () => {
  it("is valid trace-event JSON with a begin and an end for every operation", async () => {
    const doc = JSON.parse(await traced(1)) as { traceEvents: { ph: string; id?: string; name: string; ts: number; args?: Record<string, unknown> }[] };
    const ev = doc.traceEvents;
    const begins = ev.filter((e) => e.ph === "b").map((e) => e.id);
    const ends = ev.filter((e) => e.ph === "e").map((e) => e.id);
    expect(begins).toHaveLength(3);
    expect(new Set(ends)).toEqual(new Set(begins));
    const timeoutEnd = ev.find((e) => e.ph === "e" && e.name === "TIMEOUT");
    expect(timeoutEnd?.ts).toBe(1.5); // µs
    const bad = ev.find((e) => e.ph === "e" && e.name === "OP#77");
    expect(bad?.args?.result).toBe("-22 (EINVAL)");
    expect(ev.filter((e) => e.name === "io_submit")).toHaveLength(1);
    expect(ev.some((e) => e.ph === "M" && e.args?.name === "task1")).toBe(true);
  });

  it("the same run gives a byte-identical trace", async () => {
    expect(await traced(5)).toBe(await traced(5));
  });
});
