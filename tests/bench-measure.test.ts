// The bench's timing loop: baseline and variants timed in interleaved
// rounds, each variant's ratio the median of its per-round ratios — so a
// load that comes and goes (another process, a CPU clock change) falls on
// both sides of a ratio alike.
import { describe, expect, it } from "vitest";
import { measureCase } from "../bench/lib/measure.js";
import type { Clock, Variant } from "../bench/lib/types.js";

/** A clock that only moves when fake work runs: `cost` ms per unit, times the current load. */
function world() {
  let now = 0;
  let load = 1;
  const clock: Clock = { now: () => now };
  const variant = (label: string, costMs: number, onRun?: () => void): Variant => ({
    label,
    setup: () => (n: number) => {
      onRun?.();
      now += n * costMs * load;
    },
  });
  return { clock, variant, setLoad: (l: number) => (load = l) };
}

describe("measureCase", () => {
  it("pairs each variant with the baseline of the same round: a load that changes between rounds cancels out", async () => {
    const w = world();
    let runs = 0;
    // the load changes at every round (as the baseline starts it), by a factor
    // of up to 5; 11 rounds, not a multiple of the 8 loads, so that no two
    // rounds a fixed distance apart always see the same load
    const loads = [1, 5, 2, 1.5, 3, 4, 1.2, 2.5];
    const base = w.variant("base", 0.001, () => {
      runs++;
      w.setLoad(loads[runs % loads.length] as number);
    });
    const t = await measureCase(base, [w.variant("x2", 0.002), w.variant("x3", 0.003)], w.clock, { sampleMs: 5, samples: 11 });
    expect(t.variants[0]?.ratio).toBeCloseTo(2, 9);
    expect(t.variants[1]?.ratio).toBeCloseTo(3, 9);
    expect(t.variants.map((v) => v.label)).toEqual(["x2", "x3"]);
    expect(t.baseline.samples).toBe(11);
  });

  it("takes its samples in rounds: baseline, then each variant, in turn", async () => {
    const w = world();
    const order: string[] = [];
    const mk = (l: string) => w.variant(l, 0.001, () => order.push(l));
    await measureCase(mk("b"), [mk("v1"), mk("v2")], w.clock, { sampleMs: 1, samples: 3 });
    // after set-up, warm-up and calibration (each variant on its own), the last 9 runs are 3 rounds
    expect(order.slice(-9)).toEqual(["b", "v1", "v2", "b", "v1", "v2", "b", "v1", "v2"]);
  });
});
