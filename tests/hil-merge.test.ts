/**
 * mergeRuns: recordings of one board, one per mode (the Pico's one-mode
 * builds), read as one run — and refused when they cannot be one.
 */
import { describe, expect, it } from "vitest";
import { parseHil } from "../tools/hil/format.js";
import { HilMergeError, mergeRuns, type HilPart } from "../tools/hil/merge.js";
import { buildReport, renderTable } from "../tools/hil/report.js";
import { recording, type RecordingSpec } from "./hil-helpers.js";

const part = (file: string, spec: RecordingSpec): HilPart => ({ file, run: parseHil(recording(spec)) });

// p50 and p99 of each are its first and last value, so the ratios against (a) are round
const A = [10, 10, 10, 40];
const B = [12, 12, 12, 48];
const C = [30, 30, 30, 120];
const D = [11, 11, 11, 44];

function fourParts(): HilPart[] {
  return [part("d.txt", { samples: { d: D } }), part("a.txt", { samples: { a: A } }), part("b.txt", { samples: { b: B } }), part("c.txt", { samples: { c: C } })];
}

function mergeError(parts: HilPart[]): string {
  try {
    mergeRuns(parts);
  } catch (e) {
    expect(e).toBeInstanceOf(HilMergeError);
    return (e as Error).message;
  }
  throw new Error("mergeRuns accepted recordings it should refuse");
}

describe("mergeRuns", () => {
  it("merges disjoint modes: each mode's samples, exact statistics and ratios, as one stream of all four would give", () => {
    const run = mergeRuns(fourParts());
    expect(run.complete).toBe(true);
    expect(run.problems).toEqual([]);
    expect(run.header).toMatchObject({ board: "pico", clock: "ioport/clock", n: 4, modes: ["a", "b", "c", "d"] });
    expect(run.header?.fields).toEqual({ board: "pico", n: "4", modes: "a,b,c,d", clock: "ioport/clock", seed: "1" });
    expect(run.samples).toEqual({ a: A, b: B, c: C, d: D });
    expect(run.end).toMatchObject({ samples: 16, perMode: { a: 4, b: 4, c: 4, d: 4 }, lost: 0, sum: 70 + 84 + 210 + 77 });
    expect(run.lines).toBe(4 * 6);

    const report = buildReport(run, "a.txt, b.txt, c.txt, d.txt");
    expect(report.announced).toBe(4);
    expect(report).not.toHaveProperty("announcedPerMode");
    expect(report.modes[0]?.stats).toEqual({ n: 4, min: 10, p50: 10, p90: 40, p99: 40, max: 40, mean: 17.5, stddev: Math.sqrt(168.75) });
    expect(report.ratios).toEqual({ b: { p50: 1.2, p99: 1.2 }, c: { p50: 3, p99: 3 }, d: { p50: 1.1, p99: 1.1 } });

    const one = buildReport(parseHil(recording({ samples: { a: A, b: B, c: C, d: D } })), "one.txt");
    expect(report.modes).toEqual(one.modes);
    expect(report.ratios).toEqual(one.ratios);
    expect(report.samples).toEqual(one.samples);
    expect(renderTable(report).split("\n").slice(1)).toEqual(renderTable(one).split("\n").slice(1));
  });

  it("refuses a mode recorded twice, naming the mode and both files", () => {
    const parts = [part("a.txt", { samples: { a: A } }), part("b.txt", { samples: { b: B } }), part("b-again.txt", { samples: { b: B, c: C } })];
    expect(mergeError(parts)).toBe("mode b is in both b.txt and b-again.txt: merge one recording per mode");
  });

  it("refuses recordings of different boards or clocks, naming the files and values", () => {
    const boards = [part("a.txt", { samples: { a: A } }), part("b.txt", { samples: { b: B } }), part("c.txt", { board: "esp32", samples: { c: C } })];
    expect(mergeError(boards)).toBe(
      "the recordings name different boards (board=pico in a.txt, b.txt; board=esp32 in c.txt): merge only recordings of one board, timed by one clock",
    );
    const clocks = [part("a.txt", { samples: { a: A } }), part("sim.txt", { clock: "sim", samples: { b: B } })];
    expect(mergeError(clocks)).toMatch(/^the recordings name different clocks \(clock=ioport\/clock in a\.txt; clock=sim in sim\.txt\)/);
  });

  it("a truncated recording makes the merge incomplete; its problems carry its file name and keep their line numbers", () => {
    const text = recording({ samples: { c: C } });
    const cut = text.slice(0, text.indexOf("IOPL1 S c 2") + 8); // line 4 cut mid-record, no end line
    const parts = [part("a.txt", { samples: { a: A } }), { file: "rec/c.txt", run: parseHil(cut) }];
    const run = mergeRuns(parts);
    expect(run.complete).toBe(false);
    expect(run.samples.c).toEqual([30, 30]);
    expect(run.end).toBeNull();
    expect(run.problems.map((p) => [p.kind, p.line, p.file])).toEqual([
      ["corrupt", 4, "rec/c.txt"],
      ["truncated", 0, "rec/c.txt"],
      ["truncated", 0, "rec/c.txt"],
    ]);
    expect(run.problems[0]?.message).toMatch(/^rec\/c\.txt: line 4: IOPL1 record without its " \*XX" checksum/);
    expect(run.problems[1]?.message).toBe("rec/c.txt: mode c: 2 of 4 samples announced by the header (line 1); missing sample numbers 2-3");
  });

  it("takes the board from the others when a recording has no header, and checks its modes too", () => {
    const headless = part("b.txt", { noHeader: true, samples: { b: B } });
    const run = mergeRuns([part("a.txt", { samples: { a: A } }), headless]);
    expect(run.header).toMatchObject({ board: "pico", modes: ["a", "b"] });
    expect(run.complete).toBe(false);
    expect(run.problems.map((p) => p.message)).toEqual([expect.stringMatching(/^b\.txt: no valid header line /)]);
    const report = buildReport(run, "a.txt, b.txt");
    expect(report.ratios.b).toEqual({ p50: 1.2, p99: 1.2 });
    // b's count was never announced: no single number stands for both modes
    expect(report.announced).toBeNull();
    expect(report.announcedPerMode).toEqual({ a: 4 });
    expect(renderTable(report)).toMatch(/^board pico · clock ioport\/clock · samples announced a 4, b \? · source a\.txt, b\.txt$/m);
    expect(mergeError([part("ab.txt", { samples: { a: A, b: B } }), headless])).toBe("mode b is in both ab.txt and b.txt: merge one recording per mode");
  });

  it("reports the samples announced per mode when the recordings disagree", () => {
    const report = buildReport(mergeRuns([part("a.txt", { samples: { a: A } }), part("b.txt", { n: 4, samples: { b: [12, 12] }, noEnd: true })]), "x");
    expect(report.announced).toBe(4);
    const differ = buildReport(mergeRuns([part("a.txt", { samples: { a: A } }), part("b.txt", { samples: { b: [12, 12] } })]), "x");
    expect(differ.announced).toBeNull();
    expect(differ.announcedPerMode).toEqual({ a: 4, b: 2 });
    expect(differ.complete).toBe(true);
    expect(renderTable(differ)).toMatch(/· samples announced a 4, b 2 ·/);
  });
});
