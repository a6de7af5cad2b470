/**
 * The native fast lane (core/objects/lane.ts and the C of
 * drivers/moddable/irqcapture/irqcapture_lane.c) must be invisible: random
 * programs run in XS, in the lane worker (xsnap-worker relinked with that
 * very C and the simulated interrupt side of irqcapture_host.c:
 * tools/xs/lane-worker.mjs), once with the lanes offered and once without,
 * through the real CaptureGpio, and must show user code the same callbacks,
 * bytes, syscall results and errors, and leave the kernel in the same state
 * (tests/lane/program.ts). The lanes must actually deliver in these runs,
 * and in every kind: multishot with a watch, one-shot with io_wait_cb and
 * with io_wait.
 */
import { buildSync } from "esbuild";
import fc from "fast-check";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
// @ts-expect-error plain JS harness module without type declarations
import { xsSession } from "../tools/xs/run-bench.mjs";
// @ts-expect-error plain JS harness module without type declarations
import { buildLaneWorker } from "../tools/xs/lane-worker.mjs";
import { program } from "./lane/arbitraries.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

describe("native fast lane (the lane C in XS, simulated ISRs)", () => {
  it("random programs: the same recording and end state with the lanes offered as without; the lanes deliver", { timeout: 300_000 }, async () => {
    const worker = buildLaneWorker() as { path?: string; error?: string };
    expect(worker.error, "the lane worker must build wherever @agoric/xsnap installed").toBeUndefined();
    const out = join(root, "build", "xs", "lane-program.js");
    mkdirSync(dirname(out), { recursive: true });
    buildSync({ entryPoints: [join(root, "tests", "lane", "program.ts")], bundle: true, format: "esm", target: "es2022", outfile: out, logLevel: "error" });
    const session = xsSession({ bin: worker.path });
    try {
      await session.step("load", `import(${JSON.stringify(out)}).then((m) => { globalThis.__lane = m; send({ t: "ok" }); }).catch(fail);`);
      // a fixed corpus, and fresh programs each run (IOPORT_LANE_SEED=<seed> replays them)
      const seed = process.env.IOPORT_LANE_SEED !== undefined ? Number(process.env.IOPORT_LANE_SEED) : (Math.random() * 2 ** 31) | 0;
      const programs = [...fc.sample(program, { numRuns: 800, seed: 7 }), ...fc.sample(program, { numRuns: 400, seed })];
      // the kinds each need a program that sets them up
      const kinds = { watch: 0, wait: 0, waitP: 0 };
      for (const p of programs) for (const a of p.init.slice(0, 2)) if (a.k === "watch" || a.k === "wait" || a.k === "waitP") kinds[a.k]++;
      expect(Math.min(kinds.watch, kinds.wait, kinds.waitP)).toBeGreaterThan(50);
      let laneBatches = 0;
      let gpioInterrupts = 0;
      let alarmInterrupts = 0;
      for (let i = 0; i < programs.length; i += 50) {
        const batch = programs.slice(i, i + 50);
        const { msgs } = (await session.step(
          `programs ${i}..${i + batch.length - 1}`,
          `__lane.compareLanes(${JSON.stringify(batch)}).then((r) => { send({ t: "result", r }); send({ t: "ok" }); }).catch(fail);`,
        )) as { msgs: { t: string; r?: { differ: { index: number; at: number; on: string; off: string }[]; laneBatches: number; gpioInterrupts: number; alarmInterrupts: number } }[] };
        const r = msgs.find((m) => m.t === "result")?.r;
        if (r === undefined) throw new Error("the lane program reported no result");
        const first = r.differ[0];
        if (first !== undefined) {
          throw new Error(
            `program ${i + first.index} (fresh programs from IOPORT_LANE_SEED=${seed} start at 800) differs at line ${first.at}:\n  lanes:    ${first.on}\n  no lanes: ${first.off}\nprogram: ${JSON.stringify(batch[first.index])}`,
          );
        }
        laneBatches += r.laneBatches;
        gpioInterrupts += r.gpioInterrupts;
        alarmInterrupts += r.alarmInterrupts;
      }
      // and timer lines on the (simulated) hardware alarms count theirs
      expect(alarmInterrupts).toBeGreaterThan(100);
      // the programs do raise interrupts the kernel counts
      expect(gpioInterrupts).toBeGreaterThan(2500);
      // not vacuous: the lanes took a good share of the deliveries
      expect(laneBatches).toBeGreaterThan(600);
      console.log(`lane-xs: ${programs.length} programs, ${gpioInterrupts} GPIO and ${alarmInterrupts} alarm interrupts, ${laneBatches} batches delivered by the lane C`);
    } finally {
      await session.close();
    }
  });

  it("the alarm ISR's count (captureDuePassed, the boards' C): every due time passed, once, none drifting; a one-shot alarm fires once", { timeout: 120_000 }, async () => {
    const worker = buildLaneWorker() as { path?: string; error?: string };
    expect(worker.error).toBeUndefined();
    const session = xsSession({ bin: worker.path });
    try {
      const { msgs } = (await session.step(
        "alarms",
        `const got = [];
        const sim = IrqCaptureSim;
        const a = new IrqAlarm(1000, 100, 0, (n, first, last) => got.push([n, first, last]));
        const fire = (us) => { sim.setNow(us); sim.alarmFire(us); };
        fire(999); sim.pump();              // not due yet
        fire(1000); sim.pump();             // the first due time
        fire(1350); sim.pump();             // late: 1100, 1200 and 1300 passed
        fire(1399); sim.pump();             // 1400 not due
        fire(1400); fire(1501); sim.pump(); // two ISRs, one batch: 1400 and 1500
        fire(1000000); sim.pump();          // far behind: every period counted
        const next = sim.alarmNext();
        a.close();
        const once = [];
        const b = new IrqAlarm(2000, 100, 1, (n) => once.push(n));
        fire(2500); sim.pump(); fire(2600); sim.pump();
        const afterOnce = sim.alarmNext();
        b.close();
        send({ t: "r", got, next, once, afterOnce }); send({ t: "ok" });`,
      )) as { msgs: { t: string; got?: number[][]; next?: number; once?: number[]; afterOnce?: number }[] };
      const r = msgs.find((m) => m.t === "r")!;
      expect(r.got).toEqual([
        [1, 1000, 1000],
        [3, 1350, 1350],
        [2, 1400, 1501],
        [(1000000 - 1600) / 100 + 1, 1000000, 1000000],
      ]);
      // the next due time is still on the grid: no drift
      expect(r.next).toBe(1000100);
      expect(r.once).toEqual([1]);
      expect(r.afterOnce).toBe(-1);
    } finally {
      await session.close();
    }
  });
});
