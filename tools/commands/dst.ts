/**
 * `ioport dst --seeds N [--from S] [--steps K]`: a deterministic-simulation
 * campaign (host-sim/dst). Each seed is a random workload with fault
 * injection checked against invariants; a failing seed prints its failures
 * and the one-line command that reproduces it. Exit code 1 if any seed fails
 * (tools/lib/command.ts).
 *
 * `--jobs N` runs the seeds on N worker threads (tools/lib/dst-pool.ts;
 * default: the machine's cores), `--shard i/n` only every n-th seed from the
 * i-th (campaignSeeds). The report is in seed order whatever the jobs, so
 * it is the same as a single-process run over the same seeds.
 */
import { availableParallelism } from "node:os";
import { campaignSeeds, DST_PROFILES, runSeed, type DstProfile, type SeedResult } from "../../host-sim/dst/index.js";
import type { Simulator } from "../../host-sim/simulator.js";
import { PerfettoTrace } from "../../host-sim/trace/perfetto.js";
import { intOption, parseArgs, type ParsedArgs } from "../lib/args.js";
import { UsageError } from "../lib/command.js";
import { runSeedsParallel } from "../lib/dst-pool.js";
import { checkOutput, writeOutput } from "../lib/output.js";
import { Progress } from "../lib/progress.js";

export const DEFAULT_STEPS = 200;
/** Bounds that keep one invocation to hours at most (about 50-100 seeds a second at the default steps). */
const MAX_SEEDS = 1_000_000;
const MAX_STEPS = 100_000;

export const usage = `usage: ioport dst [--seeds N] [--from S] [--steps K] [--profile P] [--jobs N] [--shard I/N] [--trace out.json] [--json] [--quiet]

Runs seeds of random workloads with fault injection, each checked against
the kernel's invariants; a failing seed prints the command that reproduces it.
  --seeds N     number of seeds to run, 1 to ${MAX_SEEDS} (default 100)
  --from S      first seed, 0 to 4294967295 (default 1)
  --steps K     random actions per task, 1 to ${MAX_STEPS} (default ${DEFAULT_STEPS})
  --profile P   workload: mixed (default) or close (close- and cancel-heavy)
  --jobs N      worker threads, 1 to 256 (default: the number of cores; 1 runs in this thread)
  --shard I/N   run only shard I of N (every N-th seed from the I-th; for CI matrices)
  --trace F     write a Perfetto trace of the run (one seed only)
  --json        print the results as JSON on stdout
  --quiet       no progress line

exit: 0 every seed passed, 1 a seed failed or an output could not be written,
      2 a bad option
`;

export function reproduceCommand(seed: number, steps: number, profile: DstProfile = "mixed"): string {
  return `npx ioport dst --seeds 1 --from ${seed}${steps === DEFAULT_STEPS ? "" : ` --steps ${steps}`}${profile === "mixed" ? "" : ` --profile ${profile}`}`;
}

/** `--shard I/N`: 1 <= I <= N, or null when absent. */
function shardOption(p: ParsedArgs): { index: number; total: number } | null {
  const v = p.values.get("shard");
  if (v === undefined) return null;
  const m = /^(\d+)\/(\d+)$/.exec(v);
  const index = m ? Number(m[1]) : NaN;
  const total = m ? Number(m[2]) : NaN;
  if (!(total >= 1 && total <= 1 << 20 && index >= 1 && index <= total)) {
    throw new UsageError(`--shard must be I/N with 1 <= I <= N (shard I of N), got "${v}"`);
  }
  return { index, total };
}

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, ["seeds", "from", "steps", "trace", "jobs", "shard", "profile"], ["json", "quiet"]);
  if (p.positionals.length > 0) throw new UsageError(`unexpected argument "${p.positionals[0]}"`);
  const seeds = intOption(p, "seeds", 100, 1, MAX_SEEDS);
  const from = intOption(p, "from", 1, 0, 0xffffffff);
  const steps = intOption(p, "steps", DEFAULT_STEPS, 1, MAX_STEPS);
  const jobs = intOption(p, "jobs", availableParallelism(), 1, 256);
  const shard = shardOption(p);
  const prof = p.values.get("profile") ?? "mixed";
  if (!(DST_PROFILES as readonly string[]).includes(prof)) throw new UsageError(`--profile must be one of ${DST_PROFILES.join(", ")}, got "${prof}"`);
  const profile = prof as DstProfile;
  const trace = p.values.get("trace");
  const json = p.flags.has("json");
  const quiet = p.flags.has("quiet");
  if (trace !== undefined && seeds !== 1) throw new UsageError("--trace records one run: use it with --seeds 1");
  if (trace !== undefined) checkOutput("--trace", trace);
  const progress = new Progress(quiet || json);
  const t0 = performance.now();
  const failed: SeedResult[] = [];
  let events = 0;
  let virtualNs = 0;
  let perfetto: PerfettoTrace | undefined;
  const list = campaignSeeds(from, seeds, shard);
  const total = list.length;
  let arrived = 0;
  // progress counts every result as it arrives (all workers); the report takes them in seed order
  const arrive = (r: SeedResult): void => {
    arrived++;
    events += r.events;
    virtualNs += r.virtualNs;
    const el = (performance.now() - t0) / 1000;
    progress.update(() => `dst: ${arrived}/${total} seeds, ${failed.length} failed, ${(arrived / el).toFixed(1)} seeds/s, ${events} events`, arrived === total);
  };
  const report = (r: SeedResult): void => {
    if (!r.ok) {
      failed.push(r);
      progress.done();
      if (!json) {
        process.stderr.write(`seed ${r.seed} FAILED:\n${r.failures.map((f) => `  ${f}`).join("\n")}\n  reproduce: ${reproduceCommand(r.seed, steps, profile)}\n`);
      }
    }
  };
  if (jobs > 1 && total > 1 && trace === undefined) {
    await runSeedsParallel(list, { jobs, steps, profile }, report, arrive);
  } else {
    for (const seed of list) {
      const tracer = trace === undefined ? undefined : (sim: Simulator) => (perfetto = new PerfettoTrace(() => sim.now));
      const r = await runSeed(seed, tracer === undefined ? { steps, profile } : { steps, profile, tracer });
      report(r);
      arrive(r);
    }
  }
  progress.done();
  const secs = (performance.now() - t0) / 1000;
  if (trace !== undefined && perfetto !== undefined) writeOutput(trace, perfetto.toJSON());
  if (json) {
    process.stdout.write(
      JSON.stringify(
        { from, seeds, profile, ...(shard === null ? {} : { shard: `${shard.index}/${shard.total}`, shardSeeds: total }), steps, failed: failed.map((r) => ({ seed: r.seed, failures: r.failures, reproduce: reproduceCommand(r.seed, steps, profile) })), seconds: secs, events, virtualNs },
        null,
        2,
      ) + "\n",
    );
  } else {
    const range = (seeds === 1 ? `seed ${from}` : `seeds ${from}..${from + seeds - 1}`) + (shard === null ? "" : ` shard ${shard.index}/${shard.total} (${total} seeds)`);
    process.stdout.write(
      `dst: ${range}: ${total - failed.length} passed, ${failed.length} failed in ${secs.toFixed(2)} s ` +
        `(${(total / secs).toFixed(1)} seeds/s, ${events} events, ${(virtualNs / 1e9).toFixed(2)} s virtual)\n`,
    );
    if (failed.length > 0) process.stdout.write(`failing seeds: ${failed.map((r) => r.seed).join(" ")}\nreproduce the first: ${reproduceCommand(failed[0]!.seed, steps, profile)}\n`);
    if (trace !== undefined) process.stdout.write(`Perfetto trace: ${trace} (open at https://ui.perfetto.dev)\n`);
  }
  return failed.length > 0 ? 1 : 0;
}
