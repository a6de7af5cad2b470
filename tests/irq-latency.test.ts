import { describe, it, expect } from "vitest";
import { IRQ_RISING, IRQ_FALLING, type IrqSink } from "../core/index.js";
import { Prng, SimGpio, SimPlatform, Simulator } from "../host-sim/index.js";

describe("modelled interrupt latency (simulator)", () => {
  it("is zero on sim-devkit: edges are delivered at their own time", () => {
    const sim = new Simulator();
    expect(sim.board.irqLatencyNs).toEqual({ min: 0, max: 0 });
  });

  it("delays delivery by a seeded sample, keeps the edge's timestamp, never reorders", async () => {
    const platform = new SimPlatform();
    const gpio = new SimGpio(platform, 4, null, { minNs: 1000, maxNs: 5000 }, new Prng(9));
    const got: [number, number, number][] = [];
    const sink: IrqSink = { raise: (ts, level) => got.push([platform.now(), ts, level]) };
    gpio.watch(1, IRQ_RISING | IRQ_FALLING, sink);
    const edgeTimes = [0, 100, 200, 300, 400, 500];
    edgeTimes.forEach((t, i) => platform.schedule(t, () => gpio.drive(1, (i + 1) % 2), null));
    while (platform.events.runNext(Infinity, (t) => (platform.clock = t)));
    expect(got.map((g) => g[1])).toEqual(edgeTimes);
    expect(got.map((g) => g[2])).toEqual([1, 0, 1, 0, 1, 0]);
    for (let i = 0; i < got.length; i++) {
      const [at, ts] = got[i] as [number, number, number];
      expect(at - ts).toBeGreaterThanOrEqual(1000);
      if (i > 0) expect(at).toBeGreaterThanOrEqual((got[i - 1] as number[])[0] as number);
    }
    // the same seed gives the same delays
    const platform2 = new SimPlatform();
    const gpio2 = new SimGpio(platform2, 4, null, { minNs: 1000, maxNs: 5000 }, new Prng(9));
    const got2: number[] = [];
    gpio2.watch(1, IRQ_FALLING | IRQ_RISING, { raise: () => got2.push(platform2.now()) });
    edgeTimes.forEach((t, i) => platform2.schedule(t, () => gpio2.drive(1, (i + 1) % 2), null));
    while (platform2.events.runNext(Infinity, (t) => (platform2.clock = t)));
    expect(got2).toEqual(got.map((g) => g[0]));
  });
});
