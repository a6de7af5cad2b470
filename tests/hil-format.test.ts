/**
 * The IOPL1 reader on recorded streams (tests/fixtures/hil/): a clean run, a
 * truncated one, one with another firmware's output interleaved and a damaged
 * line, one in another format version; and hand-made bad lines.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ioplChecksum, ioplLine } from "../firmware/irq-latency/probe.js";
import { HilParser, HilVersionError, parseHil } from "../tools/hil/format.js";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/hil/${name}`, import.meta.url), "utf8");

/** An independent reading of the clean fixture: plain regexes, no checksum logic. */
function naiveSamples(text: string): Record<string, number[]> {
  const out: Record<string, number[]> = { a: [], b: [], c: [] };
  for (const m of text.matchAll(/^IOPL1 S ([abc]) \d+ (\d+) \d+ \*[0-9A-F]{2}$/gm)) (out[m[1] as string] as number[]).push(Number(m[2]));
  return out;
}

describe("IOPL1 reader", () => {
  it("reads a clean run completely: header, every sample in order, consistent end line", () => {
    const text = fixture("clean.txt");
    const run = parseHil(text);
    expect(run.problems).toEqual([]);
    expect(run.complete).toBe(true);
    expect(run.unknownLines).toBe(0);
    expect(run.header).toMatchObject({ line: 1, board: "pico", n: 200, modes: ["a", "b", "c"], clock: "sim" });
    expect(run.end).toMatchObject({ samples: 600, perMode: { a: 200, b: 200, c: 200 }, lost: 0, stray: 0 });
    const naive = naiveSamples(text);
    expect(run.samples.a).toEqual(naive.a);
    expect(run.samples.b).toEqual(naive.b);
    expect(run.samples.c).toEqual(naive.c);
    expect(run.lines).toBe(602);
  });

  it("reports a truncated stream: the cut line, the missing sample numbers, no end line", () => {
    const run = parseHil(fixture("truncated.txt"));
    expect(run.complete).toBe(false);
    expect(run.samples.c).toHaveLength(120);
    expect(run.samples.a).toHaveLength(200);
    const msgs = run.problems.map((p) => p.message);
    expect(msgs).toContainEqual(expect.stringMatching(/^line 522: IOPL1 record without its " \*XX" checksum/));
    expect(msgs).toContainEqual("mode c: 120 of 200 samples announced by the header (line 1); missing sample numbers 120-199");
    expect(msgs).toContainEqual(expect.stringMatching(/ends at line 522 without the end line "IOPL1 E \.\.\.": truncated/));
    expect(run.problems.map((p) => p.kind)).toEqual(["corrupt", "truncated", "truncated"]);
  });

  it("skips and counts another firmware's lines, drops a damaged line, keeps a spliced record", () => {
    const run = parseHil(fixture("garbage.txt"));
    expect(run.unknownLines).toBe(6);
    expect(run.unknownAt).toEqual([1, 2, 3, 55, 556]);
    expect(run.header?.line).toBe(4);
    expect(run.samples.a).toHaveLength(200);
    expect(run.samples.b).toHaveLength(199); // b 17 was damaged: dropped, never counted with a wrong value
    expect(run.samples.b).not.toContain(166);
    expect(run.samples.c).toHaveLength(200); // c 3 had log text glued before it, but its checksum holds
    const byKind = (k: string) => run.problems.filter((p) => p.kind === k).map((p) => p.message);
    expect(byKind("corrupt")).toEqual([expect.stringMatching(/^line 223: checksum 39 does not match the line \(computed 08\)/)]);
    expect(byKind("spliced")).toEqual([expect.stringMatching(/^line 409: 16 characters of other output before the IOPL1 record/)]);
    expect(byKind("missing")).toEqual(["mode b: 199 of 200 samples announced by the header (line 4); missing sample numbers 17"]);
    expect(byKind("mismatch")[0]).toMatch(/^line 608: the end line disagrees with what arrived: samples=600 but 599 arrived intact; b=200 but 199 arrived/);
    expect(run.complete).toBe(false);
  });

  it("refuses another format version with the line number", () => {
    expect(() => parseHil(fixture("wrong-version.txt"))).toThrow(HilVersionError);
    try {
      parseHil(fixture("wrong-version.txt"));
    } catch (e) {
      expect((e as HilVersionError).line).toBe(2);
      expect((e as Error).message).toMatch(/^line 2: the stream is in format IOPL2, and this ioport reads IOPL1 only/);
    }
  });

  it("names non-numeric fields and the expected syntax, even when the checksum is right", () => {
    const p = new HilParser();
    p.feed(ioplLine("IOPL1 H board=x n=2 modes=a clock=t"));
    p.feed(ioplLine("IOPL1 S a 0 5x 100"));
    p.feed(ioplLine("IOPL1 S a 1 7"));
    p.feed(ioplLine("IOPL1 S b 0 7 100"));
    p.feed(ioplLine("IOPL1 S a 1 7 100"));
    p.feed(ioplLine("IOPL1 S a 1 9 200"));
    p.feed(ioplLine("IOPL1 Q"));
    const run = p.finish();
    expect(run.samples.a).toEqual([7]);
    expect(run.problems.map((x) => x.message)).toEqual([
      'line 2: latency_us "5x" is not a non-negative number; expected "IOPL1 S <mode> <seq> <latency_us> <edge_us> *XX"; line skipped',
      'line 3: a sample has 4 fields, this one 3; expected "IOPL1 S <mode> <seq> <latency_us> <edge_us> *XX"; line skipped',
      'line 4: sample mode "b" is not one of a (header, line 1); line skipped',
      "line 6: sample a 1 seen before; the first one is kept",
      'line 7: unknown IOPL1 record type "Q" (expected H, S, X, G, I, T or E); line skipped',
      "mode a: 1 of 2 samples announced by the header (line 1); missing sample numbers 0",
      'the stream ends at line 7 without the end line "IOPL1 E ...": truncated; the statistics cover the 1 samples received',
    ]);
  });

  it("says when the header is missing, and still reads the samples", () => {
    const lines = fixture("clean.txt").split("\n").slice(1, 11);
    const run = parseHil(lines.join("\n"));
    expect(run.header).toBeNull();
    expect(run.samples.a).toHaveLength(10);
    expect(run.complete).toBe(false);
    expect(run.problems[0]?.message).toMatch(/^no valid header line .*the start of the stream was probably missed/);
  });

  it("rejects an invalid header, naming what it expected", () => {
    const run = parseHil(ioplLine("IOPL1 H board=x n=zero modes=a,e clock=") + "\n");
    expect(run.problems[0]?.message).toBe(
      'line 1: invalid header, expected n=<samples per mode> (a positive integer; got "zero"), modes=<a,b,c,d> (distinct modes among a, b, c, d; got "a,e"), clock=<source>; header ignored',
    );
    expect(parseHil(ioplLine("IOPL1 H board=x n=2 modes=a,d,a clock=c") + "\n").problems[0]?.message).toMatch(/distinct modes among a, b, c, d; got "a,d,a"/);
  });

  it("reads mode d (multishot io_watch) in the same IOPL1 format, and checks its end-line count", () => {
    const lines = [
      "IOPL1 H board=pico n=2 modes=a,d clock=ioport/clock seed=1 settle_us=2000 jitter_us=3000",
      "IOPL1 S a 0 459 1000",
      "IOPL1 S a 1 461 6000",
      "IOPL1 S d 0 4384 11000",
      "IOPL1 S d 1 4390 16000",
      "IOPL1 E samples=4 a=2 d=2 lost=0 stray=0 sum=9694",
    ].map(ioplLine);
    const run = parseHil(lines.join("\n"));
    expect(run.problems).toEqual([]);
    expect(run.complete).toBe(true);
    expect(run.header?.modes).toEqual(["a", "d"]);
    expect(run.samples.d).toEqual([4384, 4390]);
    expect(run.edges.d).toEqual([11000, 16000]);
    expect(run.end?.perMode).toEqual({ a: 2, d: 2 });
    lines[5] = ioplLine("IOPL1 E samples=4 a=2 d=3 lost=0 stray=0 sum=9694");
    const bad = parseHil(lines.join("\n"));
    expect(bad.complete).toBe(false);
    expect(bad.problems.map((p) => p.message)).toEqual(["line 6: the end line disagrees with what arrived: d=3 but 2 arrived"]);
    // a d sample in a run whose header does not announce d is foreign to it
    const stray = parseHil([lines[0], ioplLine("IOPL1 S b 0 5000 1000")].join("\n"));
    expect(stray.problems[0]?.message).toBe('line 2: sample mode "b" is not one of a, d (header, line 1); line skipped');
  });

  it("detects an end line whose sum disagrees (a value changed but the line re-checksummed)", () => {
    const lines = fixture("clean.txt").trimEnd().split("\n");
    lines[5] = ioplLine((lines[5] as string).replace(/ \*..$/, "").replace(/^(IOPL1 S a \d+) (\d+)/, (_m, h, v) => `${h} ${Number(v) + 1}`));
    const run = parseHil(lines.join("\n"));
    expect(run.complete).toBe(false);
    expect(run.problems.map((p) => p.message)).toEqual([expect.stringMatching(/^line 602: the end line disagrees with what arrived: sum=\d+ but the samples received add up to \d+$/)]);
  });

  it("keeps only the last run when the board resets mid-stream, and says so", () => {
    const clean = fixture("clean.txt").trimEnd().split("\n");
    const run = parseHil([...clean.slice(0, 50), ...clean].join("\n"));
    expect(run.complete).toBe(true);
    expect(run.samples.a).toHaveLength(200);
    expect(run.problems.map((p) => p.message)).toEqual([
      "line 51: a new run starts; the run of line 1, which had not ended (board reset?), is dropped with its 49 samples (only the last run is analysed)",
    ]);
    // and a re-run after a complete run is not a problem-free concatenation either
    expect(parseHil([...clean, ...clean].join("\n")).problems).toHaveLength(1);
  });

  it("reports lost edges (X lines) and never counts them as samples", () => {
    const p = new HilParser();
    p.feed(ioplLine("IOPL1 H board=x n=2 modes=a clock=t"));
    p.feed(ioplLine("IOPL1 S a 0 50 100"));
    p.feed(ioplLine("IOPL1 X a 1 timeout"));
    p.feed(ioplLine("IOPL1 E samples=1 a=1 lost=1 stray=0 sum=50"));
    const run = p.finish();
    expect(run.samples.a).toEqual([50]);
    expect(run.lost.a).toBe(1);
    expect(run.complete).toBe(false);
    expect(run.problems.map((x) => x.message)).toEqual(["line 3: the probe saw no delivery of edge a 1 (timeout): not counted in the statistics"]);
  });

  it("checksums are the XOR of the record's bytes", () => {
    expect(ioplChecksum("IOPL1 S a 0 57 2949")).toBe("0D");
    let x = 0;
    for (const ch of Buffer.from("IOPL1 E samples=0 lost=0 sum=0")) x ^= ch;
    expect(ioplChecksum("IOPL1 E samples=0 lost=0 sum=0")).toBe(x.toString(16).toUpperCase().padStart(2, "0"));
  });
});
