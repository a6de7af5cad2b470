/**
 * `ioport hil` as a user runs it (a child process): the sources (--sim,
 * --file, standard input), the outputs (table, histograms, JSON, SVG, HTML),
 * and the exit codes on bad input.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseHil } from "../tools/hil/format.js";
import { computeStats } from "../tools/hil/stats.js";
import { ROOT, runCli } from "./hil-helpers.js";

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
    expect(r.stdout).toMatch(/^a {2}raw onReadable +300 +\d+ +57 /m);
    expect(r.stdout).toContain("overhead against the raw callback: (b)/(a) p50 1.14×");
    expect(r.stdout).toMatch(/^d {2}multishot io_watch +300 +\d+ +60 /m);
    expect(r.stdout).toMatch(/\(c\)\/\(a\) p50 3\.58× p99 [\d.]+× {3}\(d\)\/\(a\) p50 1\.05×/);
    expect(r.stdout).toMatch(/^ {2}204 │█+/m);
    expect(r.stderr).toMatch(/progress 100% {2}a 300\/300 {2}b 300\/300 {2}c 300\/300 {2}d 300\/300/); // plain progress: stderr is not a TTY
    const rep = JSON.parse(readFileSync(json, "utf8"));
    expect(rep.complete).toBe(true);
    expect(rep.modes.map((m: { mode: string }) => m.mode)).toEqual(["a", "b", "c", "d"]);
    for (const m of rep.modes) expect(m.stats).toEqual(computeStats(rep.samples[m.mode]));
    const s = readFileSync(svg, "utf8");
    expect(s).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(s).toContain("(c) io_wait + await: p50 204 µs, p99 205 µs");
    expect(s).toContain("(d) multishot io_watch: p50 60 µs");
    expect(s).toContain("d/a p50 1.05×");
    expect(s).toContain(">a p99 58</text>");
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
    expect(bad.stderr).toContain('--samples needs an integer >= 1, got "many"');
  });
});
