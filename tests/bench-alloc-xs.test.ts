/**
 * Zero allocations per operation in the steady state of the NOP and IRQ
 * driver loops and of a terminal's line loop (edit, echo, read), counted by the XS engine itself (docs/design.md,
 * "Hot-path rules"). Uses the benchmark's XS harness (tools/xs/run-bench.mjs):
 * gc(), run N operations, read the engine's slot and chunk counters at the
 * end of the crank; then again with 2N. The difference is what N operations
 * allocated. Those counters are exact and deterministic (no sampling, no
 * timing; a run repeats to the slot and the byte), so this is an assertion
 * on counts, not on speed. A control loop that allocates one small object
 * per operation must show up, so the meter is known to see allocation.
 *
 * Chunk bytes (strings, array storage, bigints) come from the metering build
 * of xsnap-worker (tools/xs/meter-worker.mjs); where it cannot be built, the
 * test still checks slots and says so.
 */
import { describe, expect, it } from "vitest";
// @ts-expect-error plain JS harness module without type declarations
import { buildBenchBundle, loadBundle, measureAlloc, xsSession } from "../tools/xs/run-bench.mjs";
// @ts-expect-error plain JS harness module without type declarations
import { buildMeterWorker } from "../tools/xs/meter-worker.mjs";
import { allocatesNothing, kernelShareIsZero, type AllocResult } from "../bench/lib/report.js";

interface Listed {
  id: string;
  title: string;
  unit: string;
  control: boolean;
  stimulus: boolean;
}

describe("allocation per operation in XS (steady state)", () => {
  it("NOP and IRQ driver loops (one-shot and multishot + io_watch) and a terminal's line loop allocate nothing, the UART read loop nothing beyond the simulated UART's own; the control is seen", { timeout: 180_000 }, async () => {
    const bundle = (await buildBenchBundle()) as string;
    const meter = buildMeterWorker() as { path?: string; error?: string };
    if (meter.error) console.warn(`bench-alloc-xs: ${meter.error}`);
    const session = xsSession(meter.path ? { bin: meter.path } : {});
    try {
      const cases = (await loadBundle(session, bundle)) as { alloc: Listed[] };
      const pick = (id: string): Listed => {
        const c = cases.alloc.find((x) => x.id === id);
        if (!c) throw new Error(`no allocation case ${id}`);
        return c;
      };
      const results: Record<string, AllocResult & { pairs: { slots: number; chunks: number | null }[] }> = {};
      for (const id of ["nop", "irq", "irq-watch", "tty", "control"]) results[id] = await measureAlloc(session, pick(id), { n: 1000, pairs: 2 });
      for (const id of ["uart", "uart-stimulus"]) results[id] = await measureAlloc(session, pick(id), { pairs: 2 });
      await session.close();

      for (const id of ["nop", "irq", "irq-watch", "tty"]) {
        const r = results[id]!;
        expect(allocatesNothing(r), `${id}: ${JSON.stringify(r.pairs)} per ${r.n} ops`).toBe(true);
        if (meter.path) expect(r.chunkBytesPerOp).not.toBeNull();
        // deterministic: the repeated measurements agree exactly (the terminal loop's
        // computrons move a little with where its echo and receive rings wrap; its counts do not)
        if (id === "tty") expect([r.pairs[1]!.slots, r.pairs[1]!.chunks], id).toEqual([r.pairs[0]!.slots, r.pairs[0]!.chunks]);
        else expect(r.pairs[1], id).toEqual(r.pairs[0]);
      }
      // the UART loop is fed by the simulated UART (its queue of injected
      // bytes may grow): the same bytes into a plain sink allocate exactly
      // as much, so the kernel's share is zero
      const uart = results.uart!;
      const stim = results["uart-stimulus"]!;
      expect(kernelShareIsZero(uart, stim), `uart ${JSON.stringify(uart.pairs)} vs stimulus ${JSON.stringify(stim.pairs)} per ${uart.n} reads`).toBe(true);
      const control = results.control!;
      expect(control.slotsPerOp).toBeGreaterThanOrEqual(1);
      expect(allocatesNothing(control)).toBe(false);
    } catch (err) {
      session.kill();
      throw err;
    }
  });
});
