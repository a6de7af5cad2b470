/**
 * The probe in the simulator (`ioport hil --sim`): deterministic per seed,
 * the board model's costs show up where they should (b = a + dispatch,
 * c = b + promise hop, d = a + multishot dispatch), edges never merge, lost
 * and stray edges are reported, a board without a cost model is refused.
 * These check that the simulator reproduces its model; whether the model
 * matches the chip is for `ioport emu --probe` (tests/chip/).
 */
import { describe, expect, it } from "vitest";
import { Probe, type ModeHooks, type ProbeHost } from "../firmware/irq-latency/probe.js";
import { parseHil } from "../tools/hil/format.js";
import { buildReport } from "../tools/hil/report.js";
import { runSimProbe } from "../tools/hil/sim.js";
import { loadBoard } from "../host-sim/index.js";

describe("the irq-latency probe in the simulator", () => {
  it("is deterministic per seed and differs across seeds", async () => {
    const a = await runSimProbe({ board: "pico", samples: 50, seed: 3 });
    const b = await runSimProbe({ board: "pico", samples: 50, seed: 3 });
    const c = await runSimProbe({ board: "pico", samples: 50, seed: 4 });
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
  });

  it("on pico: (a) is the board's edge latency, (b) adds its dispatch cost, (c) the promise hop, (d) the multishot dispatch", async () => {
    const board = loadBoard("pico");
    const lat = board.irqLatencyNs!;
    const cost = board.irqCostNs!;
    const run = parseHil((await runSimProbe({ board: "pico", samples: 400, seed: 11 })).join("\n"));
    expect(run.complete).toBe(true);
    expect(run.problems).toEqual([]);
    // 1-µs clock: a latency L ns reads as floor(L/1000) or one more
    const within = (xs: number[], lo: number, hi: number) => xs.every((x) => x >= Math.floor(lo / 1000) && x <= Math.floor(hi / 1000) + 1);
    expect(within(run.samples.a, lat.min, lat.max)).toBe(true);
    expect(within(run.samples.b, lat.min + cost.dispatch, lat.max + cost.dispatch)).toBe(true);
    expect(within(run.samples.c, lat.min + cost.dispatch + cost.promiseHop, lat.max + cost.dispatch + cost.promiseHop)).toBe(true);
    const ms = cost.dispatchMultishot!;
    expect(ms).toBeGreaterThan(0);
    expect(ms).toBeLessThan(cost.dispatch); // the fast path is modelled cheaper than the one-shot re-arm
    expect(within(run.samples.d, lat.min + ms, lat.max + ms)).toBe(true);
    // the ratios are the model's own: p50(x)/p50(a) with p50s that follow from the costs above
    const r = buildReport(run, "sim");
    const p50 = Object.fromEntries(r.modes.map((m) => [m.mode, m.stats!.p50]));
    expect(r.ratios.d!.p50!).toBeCloseTo((p50.d as number) / (p50.a as number), 12);
    expect(r.ratios.b!.p50!).toBeCloseTo((p50.b as number) / (p50.a as number), 12);
  });

  it("refuses a board without a cost model, naming the boards that have one", async () => {
    await expect(runSimProbe({ board: "sim-devkit", samples: 20 })).rejects.toThrow(/board sim-devkit has no measured interrupt-path costs .*boards with a model: pico/);
  });

  it("edges are spaced by the settle gap plus jitter, far more than any latency: they never merge", async () => {
    const run = parseHil((await runSimProbe({ board: "pico", samples: 100, seed: 5 })).join("\n"));
    for (const m of ["a", "b", "c", "d"] as const) {
      expect(run.edges[m]).toHaveLength(100);
      const e = run.edges[m];
      for (let i = 1; i < e.length; i++) {
        const gap = (e[i] as number) - (e[i - 1] as number) - (run.samples[m][i - 1] as number);
        expect(gap).toBeGreaterThanOrEqual(2000);
        expect(gap).toBeLessThanOrEqual(5001);
      }
    }
  });

  it("mode d keeps one multishot arm for the whole mode: one io_submit, no syscall per edge", async () => {
    const { Simulator } = await import("../host-sim/index.js");
    const { WatchMode, CallbackMode } = await import("../firmware/irq-latency/kernel-modes.js");
    const sim = new Simulator({ board: "sim-devkit" });
    const lb = sim.board.loopback!;
    const count = async (make: (t: ReturnType<typeof sim.spawn>) => ModeHooks) => {
      const task = sim.spawn({ name: "probe", memoryBytes: 4096 });
      const calls: Record<string, number> = {};
      const sys = task.sys as unknown as Record<string, unknown>;
      for (const name of ["io_submit", "io_wait_cb", "io_watch"]) {
        const f = sys[name] as (...a: unknown[]) => unknown;
        sys[name] = (...a: unknown[]) => ((calls[name] = (calls[name] ?? 0) + 1), f(...a));
      }
      const mode = make(task);
      let edges = 0;
      mode.start(() => edges++);
      for (let i = 0; i < 10; i++) {
        sim.gpioBank.write(lb.out, (i + 1) & 1);
        await sim.advance(1000);
      }
      mode.stop();
      task.exit();
      return { edges, calls };
    };
    const d = await count((t) => new WatchMode(t, lb.in));
    expect(d).toEqual({ edges: 10, calls: { io_watch: 1, io_submit: 1 } });
    const b = await count((t) => new CallbackMode(t, lb.in));
    expect(b.edges).toBe(10);
    expect(b.calls.io_submit).toBe(11); // one-shot: armed once, then again after every edge
  });

  it("runs only the modes asked for", async () => {
    const run = parseHil((await runSimProbe({ board: "pico", samples: 10, modes: ["c", "a"] })).join("\n"));
    expect(run.header?.modes).toEqual(["c", "a"]);
    expect(run.samples.b).toEqual([]);
    expect(run.complete).toBe(true);
  });
});

describe("the probe core (engine-neutral)", () => {
  /** A tiny event loop with a µs clock. */
  function fakeHost() {
    let t = 0;
    const q: { at: number; fn: () => void }[] = [];
    const lines: string[] = [];
    const writes: number[] = [];
    const host: ProbeHost = {
      now: () => t,
      write: (l) => writes.push(l),
      after: (us, fn) => {
        q.push({ at: t + us, fn });
        q.sort((x, y) => x.at - y.at);
      },
      emit: (l) => lines.push(l),
    };
    const runAll = () => {
      while (q.length > 0) {
        const e = q.shift()!;
        t = e.at;
        e.fn();
      }
    };
    return { host, lines, writes, runAll, at: (us: number, fn: () => void) => host.after(us, fn) };
  }

  it("reports an edge never delivered as lost (X line), and counts it in the end line", () => {
    const h = fakeHost();
    let deliver: (() => void) | null = null;
    let k = 0;
    const flaky: ModeHooks = {
      start: (onEdge) => (deliver = onEdge),
      stop: () => (deliver = null),
    };
    // deliver every edge 30 µs after it is written, except the second one
    const host = { ...h.host, write: (l: number) => (h.writes.push(l), k++ !== 1 && h.at(30, () => deliver?.())) };
    const probe = new Probe(host, { a: flaky }, { board: "t", samples: 3, modes: ["a"], clock: "fake", timeoutUs: 1000 });
    probe.start();
    h.runAll();
    const run = parseHil(h.lines.join("\n"));
    expect(h.lines.filter((l) => l.startsWith("IOPL1 S")).map((l) => l.split(" ").slice(2, 5).join(" "))).toEqual(["a 0 30", "a 2 30"]);
    expect(h.lines).toContainEqual(expect.stringMatching(/^IOPL1 X a 1 timeout \*[0-9A-F]{2}$/));
    expect(run.end).toMatchObject({ samples: 2, lost: 1, sum: 60 });
    expect(run.lost.a).toBe(1);
    expect(h.writes).toEqual([1, 0, 1]); // alternating edges
  });

  it("counts a stray edge (one nobody asked for) and does not take it for a sample", () => {
    const h = fakeHost();
    let deliver: (() => void) | null = null;
    const hooks: ModeHooks = { start: (onEdge) => (deliver = onEdge), stop: () => (deliver = null) };
    const host = { ...h.host, write: () => h.at(10, () => deliver?.()) };
    const probe = new Probe(host, { b: hooks }, { board: "t", samples: 2, modes: ["b"], clock: "fake" });
    probe.start();
    h.at(1, () => deliver?.()); // noise before the first edge
    h.runAll();
    expect(probe.stray).toBe(1);
    const run = parseHil(h.lines.join("\n"));
    expect(run.samples.b).toEqual([10, 10]);
    expect(run.problems.map((p) => p.message)).toEqual([expect.stringMatching(/the probe saw 1 unexpected edge/)]);
  });

  it("refuses a mode without hooks and a sample count below 1", () => {
    const h = fakeHost();
    expect(() => new Probe(h.host, {}, { board: "t", samples: 1, clock: "x" })).toThrow(/no hooks for mode a/);
    const hooks: ModeHooks = { start: () => {}, stop: () => {} };
    expect(() => new Probe(h.host, { a: hooks }, { board: "t", samples: 0, modes: ["a"], clock: "x" })).toThrow(/positive integer/);
  });
});
