// §8, §9 Simulator time: advance, run, deadlock, determinism.
import { describe, expect, it } from "vitest";
import { OP_TIMEOUT } from "../core/index.js";
import { Simulator } from "../host-sim/index.js";
import { setup, submit } from "./helpers.js";

describe("Simulator", () => {
  it("starts at 0 on sim-devkit; unknown boards are named in the error", () => {
    const sim = new Simulator();
    expect(sim.now).toBe(0);
    expect(sim.board.name).toBe("sim-devkit");
    expect(() => new Simulator({ board: "nope" })).toThrow(/unknown board "nope".*sim-devkit/);
  });

  it("advance runs events in (time, scheduling order), setting now to each event's time", async () => {
    const sim = new Simulator();
    const seen: [string, number][] = [];
    sim.at(30, () => seen.push(["c", sim.now]));
    sim.at(10, () => seen.push(["a", sim.now]));
    sim.at(30, () => seen.push(["d", sim.now]));
    sim.at(20, () => seen.push(["b", sim.now]));
    sim.at(31, () => seen.push(["late", sim.now]));
    await sim.advance(30n);
    expect(seen).toEqual([["a", 10], ["b", 20], ["c", 30], ["d", 30]]);
    expect(sim.now).toBe(30);
  });

  it("settles promise continuations between events", async () => {
    const sim = new Simulator();
    const log: string[] = [];
    sim.at(1, () => {
      log.push("e1");
      void Promise.resolve()
        .then(() => Promise.resolve())
        .then(() => log.push("chain of e1 done"));
    });
    sim.at(1, () => log.push("e2"));
    await sim.advance(1);
    expect(log).toEqual(["e1", "chain of e1 done", "e2"]);
  });

  it("run jumps time to the next event while blocked and returns fn's value", async () => {
    const { sim, task, sys, port } = setup();
    submit(task, port, [{ opcode: OP_TIMEOUT, timeoutNs: 7_000_000_000 }]);
    const v = await sim.run(async () => {
      const n = await sys.io_wait(port, task.alloc(24), 1, 1, 0);
      return `n=${n}`;
    });
    expect(v).toBe("n=1");
    expect(sim.now).toBe(7_000_000_000);
  });

  it("run runs every event due at the instant fn settled", async () => {
    const sim = new Simulator();
    const log: string[] = [];
    sim.at(5, () => log.push("at 5"));
    sim.at(5, () => log.push("also at 5"));
    await sim.run(async () => {
      await new Promise<void>((r) => sim.at(5, r));
    });
    expect(log).toEqual(["at 5", "also at 5"]);
  });

  it("run rejects on deadlock instead of waiting forever", async () => {
    const { sim, task, sys, port } = setup();
    await expect(sim.run(() => sys.io_wait(port, task.alloc(24), 1, 1, 0))).rejects.toThrow(/deadlock/);
  });

  it("run propagates fn's rejection", async () => {
    const sim = new Simulator();
    await expect(
      sim.run(async () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
  });

  it("run with timeoutNs rejects when fn is still blocked then", async () => {
    const sim = new Simulator();
    let ticks = 0;
    const tick = () => {
      ticks++;
      sim.after(100, tick);
    };
    sim.after(100, tick);
    await expect(sim.run(() => new Promise(() => {}), { timeoutNs: 1000 })).rejects.toThrow(/timed out/);
    expect(ticks).toBe(10);
  });

  it("refuses overlapping advance/run with a clear message", async () => {
    const sim = new Simulator();
    const a = sim.advance(10);
    await expect(sim.advance(10)).rejects.toThrow(/in progress/);
    await a;
  });

  it("rejects a negative advance with a message naming the argument", async () => {
    const sim = new Simulator();
    await expect(sim.advance(-1)).rejects.toThrow(/advance\(ns\)/);
  });

  it("the seeded PRNG is deterministic per seed", () => {
    const a = new Simulator({ seed: 42 }).rng;
    const b = new Simulator({ seed: 42 }).rng;
    const c = new Simulator({ seed: 43 }).rng;
    const xs = Array.from({ length: 8 }, () => a.nextU32());
    expect(Array.from({ length: 8 }, () => b.nextU32())).toEqual(xs);
    expect(Array.from({ length: 8 }, () => c.nextU32())).not.toEqual(xs);
    const r = new Simulator({ seed: 7 }).rng;
    for (let i = 0; i < 1000; i++) {
      const v = r.int(3, 9);
      expect(v >= 3 && v <= 9).toBe(true);
    }
  });
});
