/**
 * Statistics of `ioport hil` checked against independent computations:
 * percentiles by counting (no sorting), mean and deviation by two passes,
 * on the recorded clean fixture and on random data (fast-check).
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ioplLine } from "../firmware/irq-latency/probe.js";
import { parseHil } from "../tools/hil/format.js";
import { bar, buildReport, histogram, renderHistograms, renderTable } from "../tools/hil/report.js";
import { computeStats, percentile } from "../tools/hil/stats.js";

/** Nearest rank by definition: the smallest sample v with #{x <= v} >= p% of n. */
function rankByCounting(xs: readonly number[], p: number): number {
  const need = (p / 100) * xs.length;
  let best = Infinity;
  for (const v of xs) {
    let atOrBelow = 0;
    for (const x of xs) if (x <= v) atOrBelow++;
    if (atOrBelow >= need && v < best) best = v;
  }
  return best;
}

function twoPass(xs: readonly number[]): { mean: number; sd: number } {
  let s = 0;
  for (const x of xs) s += x;
  const mean = s / xs.length;
  let q = 0;
  for (const x of xs) q += (x - mean) * (x - mean);
  return { mean, sd: Math.sqrt(q / xs.length) };
}

const clean = parseHil(readFileSync(new URL("./fixtures/hil/clean.txt", import.meta.url), "utf8"));

describe("hil statistics", () => {
  it("match an independent computation on the recorded clean stream", () => {
    for (const m of ["a", "b", "c"] as const) {
      const xs = clean.samples[m];
      const s = computeStats(xs);
      expect(s).not.toBeNull();
      expect(s!.n).toBe(200);
      for (const p of [50, 90, 99] as const) expect(s![`p${p}`]).toBe(rankByCounting(xs, p));
      expect(s!.min).toBe(Math.min(...xs));
      expect(s!.max).toBe(Math.max(...xs));
      const ref = twoPass(xs);
      expect(s!.mean).toBeCloseTo(ref.mean, 9);
      expect(s!.stddev).toBeCloseTo(ref.sd, 9);
    }
  });

  it("the recorded stream's numbers: 57 / 65 / 204 µs at p50 on the pico model", () => {
    const r = buildReport(clean, "clean.txt");
    expect(r.modes.map((m) => [m.mode, m.stats?.p50, m.stats?.p99])).toEqual([
      ["a", 57, 58],
      ["b", 65, 66],
      ["c", 204, 205],
    ]);
    expect(r.ratios.b?.p50).toBeCloseTo(65 / 57, 12);
    expect(r.ratios.c?.p99).toBeCloseTo(205 / 58, 12);
  });

  it("percentiles match counting on random data (nearest rank, always a sample)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 60 }), fc.integer({ min: 0, max: 100 }), (xs, p) => {
        const sorted = [...xs].sort((a, b) => a - b);
        const v = percentile(sorted, p);
        expect(xs).toContain(v);
        if (p > 0) expect(v).toBe(rankByCounting(xs, p));
        else expect(v).toBe(sorted[0]);
      }),
    );
  });

  it("edge cases: one sample, all equal, no samples; a zero baseline gives no ratio", () => {
    expect(computeStats([])).toBeNull();
    expect(computeStats([42])).toEqual({ n: 1, min: 42, p50: 42, p90: 42, p99: 42, max: 42, mean: 42, stddev: 0 });
    expect(computeStats([7, 7, 7])?.stddev).toBe(0);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 51)).toBe(3);
    expect(percentile([1, 2, 3, 4], 99)).toBe(4);
    const zero = parseHil(["IOPL1 H board=z n=1 modes=a,b clock=t *", "IOPL1 S a 0 0 5 *", "IOPL1 S b 0 3 9 *"].map(fix).join("\n"));
    const r = buildReport(zero, "z");
    expect(r.ratios.b).toEqual({ p50: null, p99: null });
    expect(renderTable(r)).toContain("(b)/(a) p50 n/a p99 n/a");
  });

  it("the table, the histograms and the bars", () => {
    const r = buildReport(clean, "clean.txt");
    const table = renderTable(r);
    expect(table).toContain("a  raw onReadable         200      56      57      58      58      58");
    expect(table).toContain("overhead against the raw callback: (b)/(a) p50 1.14× p99 1.14×   (c)/(a) p50 3.58× p99 3.53×");
    const bins = histogram(clean.samples.a);
    expect(bins.map((b) => b.lo)).toEqual([56, 57, 58]);
    expect(bins.reduce((s, b) => s + b.count, 0)).toBe(200);
    expect(bins.map((b) => b.count)).toEqual([56, 57, 58].map((v) => clean.samples.a.filter((x) => x === v).length));
    expect(bar(1, 4)).toBe("████");
    expect(bar(0.5, 3)).toBe("█▌");
    expect(bar(0, 3)).toBe("");
    const h = renderHistograms(r);
    expect(h.split("\n").filter((l) => l.includes("│"))).toHaveLength(9);
  });

  it("mode d gets its label, its statistics and a (d)/(a) ratio beside (b)/(a) and (c)/(a)", () => {
    const run = parseHil(
      [
        "IOPL1 H board=pico n=4 modes=a,b,d clock=ioport/clock",
        ...[450, 460, 470, 480].map((v, i) => `IOPL1 S a ${i} ${v} ${i * 5000}`),
        ...[5100, 5136, 5140, 5200].map((v, i) => `IOPL1 S b ${i} ${v} ${i * 5000}`),
        ...[4300, 4384, 4390, 4800].map((v, i) => `IOPL1 S d ${i} ${v} ${i * 5000}`),
        "IOPL1 E samples=12 a=4 b=4 d=4 lost=0 stray=0 sum=40310",
      ]
        .map((l) => ioplLine(l))
        .join("\n"),
    );
    expect(run.complete).toBe(true);
    const r = buildReport(run, "t");
    expect(r.modes.map((m) => [m.mode, m.label, m.stats?.p50, m.stats?.p99])).toEqual([
      ["a", "raw onReadable", 460, 480],
      ["b", "io_wait_cb", 5136, 5200],
      ["d", "multishot io_watch", 4384, 4800],
    ]);
    expect(r.ratios.d).toEqual({ p50: 4384 / 460, p99: 4800 / 480 });
    expect(r.ratios.c).toBeUndefined();
    const table = renderTable(r);
    expect(table).toContain("d  multishot io_watch       4    4300    4384    4800    4800    4800");
    expect(table).toContain("overhead against the raw callback: (b)/(a) p50 11.17× p99 10.83×   (d)/(a) p50 9.53× p99 10.00×");
  });
});

/** Appends the right checksum to a hand-written line ending in " *". */
function fix(l: string): string {
  const body = l.slice(0, -2);
  let x = 0;
  for (let i = 0; i < body.length; i++) x ^= body.charCodeAt(i) & 0xff;
  return `${body} *${x.toString(16).toUpperCase().padStart(2, "0")}`;
}
