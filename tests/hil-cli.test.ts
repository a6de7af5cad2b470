/**
 * `ioport hil` as a user runs it (a child process): the sources (--sim,
 * --file, several --file merged, standard input), the outputs (table,
 * histograms, JSON, SVG, HTML), and the exit codes on bad input.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseHil } from "../tools/hil/format.js";
import { computeStats } from "../tools/hil/stats.js";
import { recording, ROOT, runCli, type RecordingSpec } from "./hil-helpers.js";

const fixture = (name: string) => join(ROOT, "tests/fixtures/hil", name);
const tmp = mkdtempSync(join(tmpdir(), "ioport-hil-"));

describe("ioport hil", () => {
  it("--sim prints the table and histograms and writes JSON, SVG and HTML", async () => {
    const json = join(tmp, "sim.json");
    const svg = join(tmp, "sim.svg");
    const html = join(tmp, "sim.html");
    const r = await runCli(["hil", "--sim", "--board", "pico", "--samples", "300", "--seed", "2", "--json", json, "--svg", svg, "--html", html]);
    expect(r.stderr).not.toMatch(/problem|INCOMPLETE/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^board pico · clock sim · 300 samples per mode announced/);
    expect(r.stdout).toMatch(/^a {2}raw onReadable +300 +\d+ +96 /m);
    expect(r.stdout).toContain("overhead against the raw callback: (b)/(a) p50 1.71×");
    expect(r.stdout).toMatch(/^d {2}multishot io_watch +300 +\d+ +103 /m);
    expect(r.stdout).toMatch(/\(c\)\/\(a\) p50 2\.04× p99 [\d.]+× {3}\(d\)\/\(a\) p50 1\.07×/);
    expect(r.stdout).toMatch(/^ {2}193 │█+/m);
    expect(r.stderr).toMatch(/progress 100% {2}a 300\/300 {2}b 300\/300 {2}c 300\/300 {2}d 300\/300/); // plain progress: stderr is not a TTY
    const rep = JSON.parse(readFileSync(json, "utf8"));
    expect(rep.complete).toBe(true);
    expect(rep.modes.map((m: { mode: string }) => m.mode)).toEqual(["a", "b", "c", "d"]);
    for (const m of rep.modes) expect(m.stats).toEqual(computeStats(rep.samples[m.mode]));
    const s = readFileSync(svg, "utf8");
    expect(s).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(s).toContain("(c) io_wait + await: p50 196 µs, p99 201 µs");
    expect(s).toContain("(d) multishot io_watch: p50 103 µs");
    expect(s).toContain("d/a p50 1.07×");
    expect(s).toContain(">a p99 101</text>");
    expect(s).toContain("latency from the edge to the mode's user code (µs)");
    expect(s.trimEnd().endsWith("</svg>")).toBe(true);
    expect(readFileSync(html, "utf8")).toMatch(/<h1>ioport hil · board pico<\/h1>[\s\S]*<svg[\s\S]*<\/html>/);
  });

  it("--file of a clean recording: exit 0, the same statistics as the parser", async () => {
    const json = join(tmp, "clean.json");
    const r = await runCli(["hil", "--file", fixture("clean.txt"), "--json", json, "--no-histogram"]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("│");
    const rep = JSON.parse(readFileSync(json, "utf8"));
    const run = parseHil(readFileSync(fixture("clean.txt"), "utf8"));
    expect(rep.modes[2].stats).toEqual(computeStats(run.samples.c));
  });

  it("a truncated recording: statistics of what arrived, the truncation named, exit 1", async () => {
    const r = await runCli(["hil", "--file", fixture("truncated.txt")]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^c {2}io_wait \+ await +120 /m);
    expect(r.stderr).toContain("line 522: IOPL1 record without its");
    expect(r.stderr).toContain("mode c: 120 of 200 samples announced by the header (line 1); missing sample numbers 120-199");
    expect(r.stderr).toContain("INCOMPLETE");
  });

  it("interleaved garbage on standard input: skipped and counted, damaged line named, exit 1", async () => {
    const r = await runCli(["hil", "-"], readFileSync(fixture("garbage.txt"), "utf8"));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("skipped 6 line(s) that are not IOPL1 records (other output on the console), first at line(s) 1, 2, 3, 55, 556");
    expect(r.stderr).toContain("line 223: checksum 39 does not match the line (computed 08)");
    expect(r.stdout).toMatch(/^b {2}io_wait_cb +199 /m);
  });

  it("a wrong format version is a hard error: exit 2, no statistics", async () => {
    const r = await runCli(["hil", "--file", fixture("wrong-version.txt"), "--json", join(tmp, "never.json")]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      "ioport hil: line 2: the stream is in format IOPL2, and this ioport reads IOPL1 only; flash the probe firmware built by this version of ioport, or use the ioport that matches the firmware\n",
    );
  });

  it("no samples at all: exit 1 and says so; usage errors: exit 2", async () => {
    const none = await runCli(["hil", "-"], "hello\nworld\n");
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("no samples in standard input (2 lines read): nothing to analyse");
    const both = await runCli(["hil", "--sim", "--file", "x"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/give only one source/);
    const board = await runCli(["hil", "--sim", "--board", "nope"]);
    expect(board.code).toBe(2);
    expect(board.stderr).toMatch(/unknown board "nope"; known boards: .*pico/);
    const missing = await runCli(["hil", "--file", join(tmp, "missing.txt")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*missing\.txt/);
    const bad = await runCli(["hil", "--sim", "--samples", "many"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('ioport hil: --samples needs an integer from 1 to 100000, got "many" (see ioport hil --help)\n');
  });
});

/** Writes a recording into the temp dir and returns its path. */
function rec(name: string, spec: RecordingSpec | string): string {
  const path = join(tmp, name);
  writeFileSync(path, typeof spec === "string" ? spec : recording(spec));
  return path;
}

describe("ioport hil --file ... --file: one recording per mode, merged", () => {
  const emulated = ["a", "b", "c", "d"].map((m) => fixture(`emulated-rp2040-mode-${m}.txt`));

  it("merges the emulated Pico's four one-mode recordings: one table with every ratio, one plot with all four modes", async () => {
    const svg = join(tmp, "merged.svg");
    const json = join(tmp, "merged.json");
    const r = await runCli(["hil", ...emulated.flatMap((f) => ["--file", f]), "--svg", svg, "--json", json, "--no-histogram"]);
    expect(r.stderr).toBe(`ioport hil: wrote the JSON report to ${json}\nioport hil: wrote the plot to ${svg}\n`);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(`board pico · clock ioport/clock · 200 samples per mode announced · source ${emulated.join(", ")}`);
    expect(lines.slice(2)).toEqual([
      "a  raw onReadable         200     453     458     475     477    9029   549.99   848.46",
      "b  io_wait_cb             200    3260    3264    3282    3283   12059  3313.52   620.01",
      "c  io_wait + await        200    5445    5466    5619   14546   14564  5660.06  1270.40",
      "d  multishot io_watch     200    2032    2052    2055    2057   10813  2089.75   618.44",
      "overhead against the raw callback: (b)/(a) p50 7.13× p99 6.88×   (c)/(a) p50 11.93× p99 30.49×   (d)/(a) p50 4.48× p99 4.31×",
    ]);
    const rep = JSON.parse(readFileSync(json, "utf8"));
    expect(rep).toMatchObject({ source: emulated.join(", "), board: "pico", announced: 200, complete: true, problems: [] });
    expect(rep).not.toHaveProperty("announcedPerMode");
    const s = readFileSync(svg, "utf8");
    expect(s.match(/^<svg /gm)).toHaveLength(1);
    expect(s).toContain("a: 200, b: 200, c: 200, d: 200 samples");
    for (const legend of ["(a) raw onReadable: p50 458 µs", "(b) io_wait_cb: p50 3264 µs", "(c) io_wait + await: p50 5466 µs", "(d) multishot io_watch: p50 2052 µs"]) {
      expect(s).toContain(legend);
    }
    expect(s).toContain("b/a p50 7.13× · c/a p50 11.93× · d/a p50 4.48×");
  });

  it("--title sets the plot's title (in the SVG and the HTML page)", async () => {
    const svg = join(tmp, "titled.svg");
    const html = join(tmp, "titled.html");
    const title = "Edge → user code · emulated RP2040 <rp2040js>";
    const r = await runCli(["hil", ...emulated.flatMap((f) => ["--file", f]), "--svg", svg, "--html", html, "--title", title, "--no-histogram"]);
    expect(r.code).toBe(0);
    const escaped = "Edge → user code · emulated RP2040 &lt;rp2040js&gt;";
    expect(readFileSync(svg, "utf8")).toContain(`>${escaped}</text>`);
    expect(readFileSync(svg, "utf8")).not.toContain("board pico · clock ioport/clock</text>");
    expect(readFileSync(html, "utf8")).toContain(`>${escaped}</text>`);
  });

  it("a title too long for the 860 px plot wraps onto a second line at a space", async () => {
    const svg = join(tmp, "long-title.svg");
    const title = "Edge → user code latency · emulated RP2040 (rp2040js, USB host attached), Moddable 8.2.3 release";
    const r = await runCli(["hil", ...emulated.flatMap((f) => ["--file", f]), "--svg", svg, "--title", title, "--no-histogram"]);
    expect(r.code).toBe(0);
    const lines = [...readFileSync(svg, "utf8").matchAll(/<text x="70" y="(\d+)" font-size="16" font-weight="600">([^<]*)<\/text>/g)].map((m) => [Number(m[1]), m[2]]);
    expect(lines).toEqual([
      [20, "Edge → user code latency · emulated RP2040 (rp2040js, USB host attached),"],
      [38, "Moddable 8.2.3 release"],
    ]);
    // each line fits the plot's width at the heading's widest average glyph (9.5 px at 16 px bold)
    for (const [, text] of lines) expect(70 + (text as string).length * 9.5).toBeLessThanOrEqual(860 - 30);
  });

  it("a mode in two files, or recordings of two boards: exit 2 naming the files, nothing on stdout", async () => {
    const a = rec("m-a.txt", { samples: { a: [10, 10] } });
    const b = rec("m-b.txt", { samples: { b: [12, 12] } });
    const ab = rec("m-ab.txt", { samples: { a: [10, 10], b: [12, 12] } });
    const twice = await runCli(["hil", "--file", a, "--file", b, "--file", ab, "--svg", join(tmp, "never.svg")]);
    expect(twice.code).toBe(2);
    expect(twice.stdout).toBe("");
    expect(twice.stderr).toBe(`ioport hil: mode a is in both ${a} and ${ab}: merge one recording per mode\n`);
    const esp = rec("m-esp.txt", { board: "esp32", samples: { c: [30, 30] } });
    const boards = await runCli(["hil", "--file", a, "--file", esp]);
    expect(boards.code).toBe(2);
    expect(boards.stdout).toBe("");
    expect(boards.stderr).toBe(
      `ioport hil: the recordings name different boards (board=pico in ${a}; board=esp32 in ${esp}): merge only recordings of one board, timed by one clock\n`,
    );
  });

  it("a truncated recording among them: the statistics of all, its problems under its name, exit 1", async () => {
    const a = rec("t-a.txt", { samples: { a: [10, 10, 10, 40] } });
    const full = recording({ samples: { b: [12, 12, 12, 48] } });
    const b = rec("t-b.txt", "boot: hello\n" + full.slice(0, full.indexOf("IOPL1 S b 3")));
    const r = await runCli(["hil", "--file", a, "--file", b, "--no-histogram"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^b {2}io_wait_cb +3 +12 +12 /m);
    expect(r.stdout).toContain("overhead against the raw callback: (b)/(a) p50 1.20× p99 0.30×"); // b lost its 48 with the cut
    expect(r.stderr.split("\n")).toEqual([
      `ioport hil: ${b}: skipped 1 line(s) that are not IOPL1 records (other output on the console), first at line(s) 1`,
      `ioport hil: ${b}: mode b: 3 of 4 samples announced by the header (line 2); missing sample numbers 3`,
      `ioport hil: ${b}: the stream ends at line 5 without the end line "IOPL1 E ...": truncated; the statistics cover the 3 samples received`,
      "ioport hil: INCOMPLETE: the statistics above cover only the samples that arrived intact",
      "",
    ]);
  });

  it("standard input or --record with several files, a file in another format version: exit 2, saying why", async () => {
    const a = rec("u-a.txt", { samples: { a: [10] } });
    const stdin = await runCli(["hil", "--file", a, "-"], recording({ samples: { b: [12] } }));
    expect(stdin.code).toBe(2);
    expect(stdin.stderr).toMatch(/^ioport hil: standard input \(-\) cannot be merged with other files: save it to a file and give that with --file \(see ioport hil --help\)\n$/);
    const record = await runCli(["hil", "--file", a, "--file", a, "--record", join(tmp, "never.txt")]);
    expect(record.code).toBe(2);
    expect(record.stderr).toMatch(/^ioport hil: --record takes one source, not several --file: .*would not read back as one run/);
    const wrong = fixture("wrong-version.txt");
    const version = await runCli(["hil", "--file", a, "--file", wrong]);
    expect(version.code).toBe(2);
    expect(version.stderr).toContain(`ioport hil: ${wrong}: line 2: the stream is in format IOPL2, and this ioport reads IOPL1 only`);
  });
});
