/**
 * DST campaign throughput (Node only — worker threads — so outside
 * bench/cases, which is also bundled for XS): seeds per second of
 * `ioport dst --jobs 2` (tools/lib/dst-pool.ts, two worker threads kept
 * across rounds) against one thread running the same seeds in turn
 * (`--jobs 1`). One unit = one seed (200 steps), cycling through seeds
 * 1..400 in both. Before timing, seeds 1..40 are run both ways and their
 * results compared: the case fails unless the verdicts (and every other
 * field of each seed's result) are identical. Target: --jobs 2 at least
 * 1.7× the seeds per second of --jobs 1, i.e. ≤ 0.59× its time per seed —
 * meaningful on an otherwise idle machine with at least 2 cores.
 */
import { isDeepStrictEqual } from "node:util";
import { runSeed, type SeedResult } from "../../host-sim/dst/index.js";
import { DstPool } from "../../tools/lib/dst-pool.js";
import type { BenchCase, Variant } from "../lib/types.js";

const STEPS = 200;
const CYCLE = 400;

function seedList(from: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => ((from + i) % CYCLE) + 1);
}

function oneThread(): Variant {
  return {
    label: "--jobs 1 (this thread)",
    setup() {
      let at = 0;
      return async (n: number) => {
        for (const s of seedList(at, n)) await runSeed(s, { steps: STEPS });
        at += n;
      };
    },
  };
}

function pooled(jobs: number): Variant {
  return {
    label: `--jobs ${jobs} (worker threads)`,
    async setup() {
      const pool = new DstPool(jobs, { steps: STEPS });
      // identical verdicts: the same seeds through the pool and in this thread
      const check = seedList(0, 40);
      const viaPool: SeedResult[] = [];
      await pool.run(check, (r) => viaPool.push(r));
      for (let i = 0; i < check.length; i++) {
        const here = await runSeed(check[i] as number, { steps: STEPS });
        if (!isDeepStrictEqual(here, viaPool[i])) throw new Error(`bench dst-jobs: seed ${check[i]} gave a different result on the worker threads`);
      }
      let at = 0;
      return async (n: number) => {
        await pool.run(seedList(at, n), () => {});
        at += n;
      };
    },
  };
}

export function dstJobsCases(): BenchCase[] {
  return [
    {
      id: "dst-jobs",
      title: "DST campaign, seeds per second (200 steps): worker threads vs one thread",
      unit: "seed",
      baseline: oneThread(),
      variants: [pooled(2)],
      targets: [{ label: "--jobs 2 (worker threads)", maxRatio: 1 / 1.7 }],
    },
  ];
}
