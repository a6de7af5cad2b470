// `ioport dst --jobs N` (worker threads) and `--shard I/N`: the built CLI,
// as CI runs it. With a kernel bug preloaded into the process and so into
// every worker (tests/fixtures/dst/drop-completion.mjs), --jobs 2 reports
// the same failing seeds, the same failure text and the same totals as a
// single-thread run; shards partition the seeds and together find the same
// failures; progress counts the seeds of all workers; bad values are usage
// errors (exit 2).
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const exec = promisify(execFile);
const FAULT = "./tests/fixtures/dst/drop-completion.mjs";

async function cli(args: string[], preload: string | null = FAULT): Promise<{ code: number; out: string; err: string }> {
  const argv = [...(preload === null ? [] : ["--import", preload]), "tools/bin/ioport.js", "dst", ...args];
  try {
    const { stdout, stderr } = await exec(process.execPath, argv, { cwd: root, maxBuffer: 1 << 24 });
    return { code: 0, out: stdout, err: stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout, err: x.stderr };
  }
}

/** The summary without its wall-clock figures. */
function untimed(out: string): string {
  return out.replace(/ in [\d.]+ s \([\d.]+ seeds\/s,/, " in T s (R seeds/s,");
}

describe("ioport dst --jobs and --shard", () => {
  it("--jobs 2 reports the same failing seeds, failures and totals as --jobs 1", async () => {
    const one = await cli(["--seeds", "16", "--quiet", "--jobs", "1"]);
    const two = await cli(["--seeds", "16", "--quiet", "--jobs", "2"]);
    expect(one.code).toBe(1);
    expect(one.out).toMatch(/failing seeds: \d+/); // the preloaded bug is found
    expect(one.out).toMatch(/ [1-9]\d* passed/); // and not in every seed
    expect(two.code).toBe(1);
    expect(two.err).toBe(one.err);
    expect(untimed(two.out)).toBe(untimed(one.out));
  }, 120_000);

  it("--json is the same with --jobs 3 as with --jobs 1, but for the seconds", async () => {
    const one = JSON.parse((await cli(["--seeds", "9", "--from", "20", "--json", "--jobs", "1"], null)).out);
    const three = JSON.parse((await cli(["--seeds", "9", "--from", "20", "--json", "--jobs", "3"], null)).out);
    expect(one.events).toBeGreaterThan(1000);
    delete one.seconds;
    delete three.seconds;
    expect(three).toEqual(one);
  }, 120_000);

  it("shards 1/3, 2/3 and 3/3 partition the seeds and find the same failures", async () => {
    const whole = JSON.parse((await cli(["--seeds", "15", "--json", "--jobs", "2"])).out);
    const parts = await Promise.all([1, 2, 3].map(async (i) => JSON.parse((await cli(["--seeds", "15", "--json", "--jobs", "1", "--shard", `${i}/3`])).out)));
    expect(parts.map((p) => p.shardSeeds)).toEqual([5, 5, 5]);
    expect(parts.map((p) => p.shard)).toEqual(["1/3", "2/3", "3/3"]);
    const failed = parts.flatMap((p) => p.failed as { seed: number; failures: string[] }[]).sort((a, b) => a.seed - b.seed);
    expect(whole.failed.length).toBeGreaterThan(0);
    expect(failed).toEqual(whole.failed);
    expect(parts.reduce((s, p) => s + p.events, 0)).toBe(whole.events);
    expect(parts.reduce((s, p) => s + p.virtualNs, 0)).toBe(whole.virtualNs);
    // shard i of 3 runs seeds i, i+3, ...: each failing seed is in its own shard's report
    parts.forEach((p, i) => {
      for (const f of p.failed as { seed: number }[]) expect((f.seed - 1) % 3).toBe(i);
    });
  }, 120_000);

  it("progress counts the seeds finished by every worker", async () => {
    const r = await cli(["--seeds", "6", "--jobs", "2"], null);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/dst: 6\/6 seeds, 0 failed, [\d.]+ seeds\/s, \d+ events\n/);
    expect(r.out).toMatch(/^dst: seeds 1\.\.6: 6 passed, 0 failed/);
  }, 60_000);

  it("rejects a bad --shard or --jobs with a usage error (exit 2)", async () => {
    for (const [args, msg] of [
      [["--shard", "3/2"], /--shard must be I\/N with 1 <= I <= N \(shard I of N\), got "3\/2"/],
      [["--shard", "0/2"], /--shard must be I\/N/],
      [["--shard", "half"], /--shard must be I\/N/],
      [["--jobs", "0"], /--jobs must be an integer from 1 to 256, got "0"/],
    ] as const) {
      const r = await cli(["--seeds", "2", ...args], null);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(msg);
    }
  }, 60_000);
});
