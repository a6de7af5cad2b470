/**
 * DST seeds on worker threads (`ioport dst --jobs N`). Each worker runs
 * seeds one at a time with `runSeed` (host-sim/dst), which depends on the
 * seed alone, so a seed's result is the same whichever worker runs it.
 * Seeds are handed out as workers free up (two in flight each, so a worker
 * never waits for the next), and results are passed on in the order of the
 * seed list: the caller sees exactly what a single-process run would show,
 * however the seeds were spread. `onArrive` sees each result as it arrives,
 * for progress across all workers.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { SeedResult } from "../../host-sim/dst/index.js";

export interface PoolOptions {
  jobs: number;
  steps: number;
}

/** What a worker is sent: a seed to run. */
export interface PoolRequest {
  seed: number;
}

/** The worker script: compiled next to this file, or (running from source) the .ts under tsx. */
function workerScript(): { file: string; execArgv: string[] } {
  const js = fileURLToPath(new URL("./dst-worker.js", import.meta.url));
  if (existsSync(js)) return { file: js, execArgv: process.execArgv };
  return { file: fileURLToPath(new URL("./dst-worker.ts", import.meta.url)), execArgv: [...process.execArgv, "--import", "tsx"] };
}

export async function runSeedsParallel(
  seeds: readonly number[],
  opts: PoolOptions,
  onResult: (r: SeedResult) => void,
  onArrive?: (r: SeedResult) => void,
): Promise<void> {
  const jobs = Math.max(1, Math.min(opts.jobs, seeds.length));
  const { file, execArgv } = workerScript();
  const workers: Worker[] = [];
  const got = new Map<number, SeedResult>();
  let next = 0; // next seed index to hand out
  let emitted = 0; // results passed on in order
  try {
    await new Promise<void>((resolve, reject) => {
      const give = (w: Worker): void => {
        if (next < seeds.length) w.postMessage({ seed: seeds[next++] } satisfies PoolRequest);
      };
      for (let i = 0; i < jobs; i++) {
        const w = new Worker(file, { workerData: { steps: opts.steps }, execArgv });
        workers.push(w);
        w.on("message", (r: SeedResult) => {
          got.set(r.seed, r);
          onArrive?.(r);
          // pass on every result now in order
          while (emitted < seeds.length && got.has(seeds[emitted] as number)) {
            const s = seeds[emitted++] as number;
            onResult(got.get(s) as SeedResult);
            got.delete(s);
          }
          if (emitted === seeds.length) resolve();
          else give(w);
        });
        w.on("error", reject);
        w.on("exit", (code) => {
          if (emitted < seeds.length) reject(new Error(`ioport dst: a worker thread exited (code ${code}) before the campaign finished`));
        });
        give(w);
        give(w);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
