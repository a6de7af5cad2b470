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
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { DstProfile, SeedResult } from "../../host-sim/dst/index.js";

/** What every seed of a campaign is run with (runSeed's options a worker can be sent). */
export interface SeedOptions {
  steps: number;
  profile?: DstProfile;
}

export interface PoolOptions extends SeedOptions {
  jobs: number;
}

/** What a worker is sent: a seed to run. */
export interface PoolRequest {
  seed: number;
}

/**
 * The worker: the compiled script next to this file (the CLI runs from
 * dist/), or, running from source (the benchmarks, under tsx, whose
 * loader does not reach into worker threads), the .ts bundled into one
 * CommonJS script by esbuild (tsx's own compiler), so it is today's source.
 */
let bundled: string | null = null;

function newWorker(workerData: SeedOptions): Worker {
  const js = fileURLToPath(new URL("./dst-worker.js", import.meta.url));
  if (existsSync(js)) return new Worker(js, { workerData });
  if (bundled === null) {
    // loaded only here: the CLI (compiled) never needs it
    const { buildSync } = createRequire(import.meta.url)("esbuild") as typeof import("esbuild");
    const out = buildSync({ entryPoints: [fileURLToPath(new URL("./dst-worker.ts", import.meta.url))], bundle: true, platform: "node", format: "cjs", write: false, logLevel: "error" });
    bundled = (out.outputFiles[0] as { text: string }).text;
  }
  return new Worker(bundled, { eval: true, workerData });
}

/** Worker threads kept for several campaigns (the benchmark's rounds); `runSeedsParallel` for one. */
export class DstPool {
  private readonly workers: Worker[] = [];
  private onMessage: ((w: Worker, r: SeedResult) => void) | null = null;
  private onFailure: ((e: Error) => void) | null = null;
  private closing = false;

  constructor(jobs: number, seedOptions: SeedOptions) {
    for (let i = 0; i < Math.max(1, jobs); i++) {
      const w = newWorker(seedOptions);
      w.on("message", (r: SeedResult) => this.onMessage?.(w, r));
      w.on("error", (e) => this.onFailure?.(e));
      w.on("exit", (code) => {
        if (!this.closing) this.onFailure?.(new Error(`ioport dst: a worker thread exited (code ${code}) before the campaign finished`));
      });
      // idle between campaigns, a pool does not keep the process alive
      w.unref();
      this.workers.push(w);
    }
  }

  /** Runs `seeds`; `onResult` sees the results in the order of `seeds`, `onArrive` as they come. */
  run(seeds: readonly number[], onResult: (r: SeedResult) => void, onArrive?: (r: SeedResult) => void): Promise<void> {
    if (seeds.length === 0) return Promise.resolve();
    const got = new Map<number, SeedResult>();
    let next = 0; // next seed index to hand out
    let emitted = 0; // results passed on in order
    return new Promise<void>((resolve, reject) => {
      const give = (w: Worker): void => {
        if (next < seeds.length) w.postMessage({ seed: seeds[next++] } satisfies PoolRequest);
      };
      for (const w of this.workers) w.ref();
      const finish = (e: Error | null): void => {
        for (const w of this.workers) w.unref();
        this.onMessage = null;
        this.onFailure = null;
        if (e === null) resolve();
        else reject(e);
      };
      this.onFailure = finish;
      this.onMessage = (w, r) => {
        got.set(r.seed, r);
        onArrive?.(r);
        // pass on every result now in order
        while (emitted < seeds.length && got.has(seeds[emitted] as number)) {
          const s = seeds[emitted++] as number;
          onResult(got.get(s) as SeedResult);
          got.delete(s);
        }
        if (emitted === seeds.length) finish(null);
        else give(w);
      };
      for (const w of this.workers) {
        give(w);
        give(w);
      }
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** One campaign on `opts.jobs` worker threads (no more than there are seeds). */
export async function runSeedsParallel(
  seeds: readonly number[],
  opts: PoolOptions,
  onResult: (r: SeedResult) => void,
  onArrive?: (r: SeedResult) => void,
): Promise<void> {
  const pool = new DstPool(Math.min(opts.jobs, seeds.length), { steps: opts.steps, ...(opts.profile !== undefined ? { profile: opts.profile } : {}) });
  try {
    await pool.run(seeds, onResult, onArrive);
  } finally {
    await pool.close();
  }
}
