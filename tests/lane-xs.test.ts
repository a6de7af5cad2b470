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
      for (let i = 0; i < programs.length; i += 50) {
        const batch = programs.slice(i, i + 50);
        const { msgs } = (await session.step(
          `programs ${i}..${i + batch.length - 1}`,
          `__lane.compareLanes(${JSON.stringify(batch)}).then((r) => { send({ t: "result", r }); send({ t: "ok" }); }).catch(fail);`,
        )) as { msgs: { t: string; r?: { differ: { index: number; at: number; on: string; off: string }[]; laneBatches: number; gpioInterrupts: number } }[] };
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
      }
      // the programs do raise interrupts the kernel counts
      expect(gpioInterrupts).toBeGreaterThan(2500);
      // not vacuous: the lanes took a good share of the deliveries
      expect(laneBatches).toBeGreaterThan(600);
      console.log(`lane-xs: ${programs.length} programs, ${gpioInterrupts} GPIO interrupts, ${laneBatches} batches delivered by the lane C`);
    } finally {
      await session.close();
    }
  });
});
