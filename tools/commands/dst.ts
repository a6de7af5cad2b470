/**
 * `ioport dst --seeds N [--from S] [--steps K]`: a deterministic-simulation
 * campaign (host-sim/dst). Each seed is a random workload with fault
 * injection checked against invariants; a failing seed prints its failures
 * and the one-line command that reproduces it. Exit code 1 if any seed fails.
 */
import { writeFileSync } from "node:fs";
import { DST_PROFILES, runSeed, type DstProfile, type SeedResult } from "../../host-sim/dst/index.js";
import type { Simulator } from "../../host-sim/simulator.js";
import { PerfettoTrace } from "../../host-sim/trace/perfetto.js";
import { intOption, parseArgs, UsageError } from "../lib/args.js";
import { Progress } from "../lib/progress.js";

export const DST_USAGE = `usage: ioport dst [--seeds N] [--from S] [--steps K] [--profile P] [--trace out.json] [--json] [--quiet]

  --seeds N     number of seeds to run (default 100)
  --from S      first seed (default 1)
  --steps K     random actions per task (default 200)
  --profile P   workload: mixed (default) or close (close- and cancel-heavy)
  --trace F     write a Perfetto trace of the run (one seed only)
  --json        print the results as JSON on stdout
  --quiet       no progress line
`;

export const DEFAULT_STEPS = 200;

export function reproduceCommand(seed: number, steps: number, profile: DstProfile = "mixed"): string {
  return `npx ioport dst --seeds 1 --from ${seed}${steps === DEFAULT_STEPS ? "" : ` --steps ${steps}`}${profile === "mixed" ? "" : ` --profile ${profile}`}`;
}

export async function dst(args: string[]): Promise<number> {
  let seeds: number, from: number, steps: number, trace: string | undefined, json: boolean, quiet: boolean, profile: DstProfile;
  try {
    const p = parseArgs(args, ["seeds", "from", "steps", "trace", "profile"], ["json", "quiet", "help"]);
    if (p.flags.has("help")) {
      process.stdout.write(DST_USAGE);
      return 0;
    }
    if (p.positionals.length > 0) throw new UsageError(`unexpected argument "${p.positionals[0]}"`);
    seeds = intOption(p, "seeds", 100, 1);
    from = intOption(p, "from", 1, 0, 0xffffffff);
    steps = intOption(p, "steps", DEFAULT_STEPS, 1, 100000);
    trace = p.values.get("trace");
    const prof = p.values.get("profile") ?? "mixed";
    if (!(DST_PROFILES as readonly string[]).includes(prof)) throw new UsageError(`--profile must be one of ${DST_PROFILES.join(", ")}, got "${prof}"`);
    profile = prof as DstProfile;
    json = p.flags.has("json");
    quiet = p.flags.has("quiet");
    if (trace !== undefined && seeds !== 1) throw new UsageError("--trace records one run: use it with --seeds 1");
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`ioport dst: ${e.message}\n\n${DST_USAGE}`);
      return 2;
    }
    throw e;
  }
  const progress = new Progress(quiet || json);
  const t0 = performance.now();
  const failed: SeedResult[] = [];
  let events = 0;
  let virtualNs = 0;
  let done = 0;
  let perfetto: PerfettoTrace | undefined;
  for (let seed = from; seed < from + seeds; seed++) {
    const tracer = trace === undefined ? undefined : (sim: Simulator) => (perfetto = new PerfettoTrace(() => sim.now));
    const r = await runSeed(seed, tracer === undefined ? { steps, profile } : { steps, profile, tracer });
    done++;
    events += r.events;
    virtualNs += r.virtualNs;
    if (!r.ok) {
      failed.push(r);
      progress.done();
      if (!json) {
        process.stderr.write(`seed ${seed} FAILED:\n${r.failures.map((f) => `  ${f}`).join("\n")}\n  reproduce: ${reproduceCommand(seed, steps, profile)}\n`);
      }
    }
    const el = (performance.now() - t0) / 1000;
    progress.update(() => `dst: ${done}/${seeds} seeds, ${failed.length} failed, ${(done / el).toFixed(1)} seeds/s, ${events} events`, done === seeds);
  }
  progress.done();
  const secs = (performance.now() - t0) / 1000;
  if (trace !== undefined && perfetto !== undefined) writeFileSync(trace, perfetto.toJSON());
  if (json) {
    process.stdout.write(
      JSON.stringify(
        { from, seeds, steps, profile, failed: failed.map((r) => ({ seed: r.seed, failures: r.failures, reproduce: reproduceCommand(r.seed, steps, profile) })), seconds: secs, events, virtualNs },
        null,
        2,
      ) + "\n",
    );
  } else {
    const range = seeds === 1 ? `seed ${from}` : `seeds ${from}..${from + seeds - 1}`;
    process.stdout.write(
      `dst: ${range}: ${seeds - failed.length} passed, ${failed.length} failed in ${secs.toFixed(2)} s ` +
        `(${(seeds / secs).toFixed(1)} seeds/s, ${events} events, ${(virtualNs / 1e9).toFixed(2)} s virtual)\n`,
    );
    if (failed.length > 0) process.stdout.write(`failing seeds: ${failed.map((r) => r.seed).join(" ")}\nreproduce the first: ${reproduceCommand(failed[0]!.seed, steps, profile)}\n`);
  }
  return failed.length > 0 ? 1 : 0;
}
