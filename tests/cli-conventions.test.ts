// The command line's conventions, for every command: --help/-h and
// `ioport help <command>` print the command's usage on stdout (exit 0),
// --version the package's version; a bad input gives exactly one line on
// stderr naming the problem and the fix, exit 2, before any work starts
// (no output file, no run); the exit codes are the ones the README's
// "Command line" table documents.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { commandNames } from "../tools/cli.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const cli = join(root, "tools", "bin", "ioport.js");
const tmp = mkdtempSync(join(tmpdir(), "ioport-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const example = join(root, "examples", "scenarios", "uart-echo-button.json");

function ioport(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { cwd: tmp, encoding: "utf8", timeout: 60_000 });
}

function scenario(name: string, body: object): string {
  const f = join(tmp, `${name}.json`);
  writeFileSync(f, JSON.stringify({ tasks: [{ name: "t", module: "./t.js" }], ...body }));
  return f;
}

const aFile = join(tmp, "a-file");
writeFileSync(aFile, "not a folder");

describe("ioport: help and version", () => {
  it("--help, -h and a bare ioport list every command; --version prints the package's", () => {
    for (const args of [["--help"], ["-h"], [], ["help"]]) {
      const r = ioport(...args);
      expect(r.status).toBe(0);
      expect(r.stderr).toBe("");
      for (const c of commandNames()) expect(r.stdout).toMatch(new RegExp(`^  ${c} +\\S`, "m"));
      expect(r.stdout).toContain("exit codes: 0 success, 1 a failed or incomplete run, 2 a usage error");
    }
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
    expect(ioport("--version").stdout).toBe(`ioport ${pkg.version}\n`);
  });

  it.each(commandNames())("%s: --help, -h and `ioport help <command>` print its usage on stdout, exit 0", (c) => {
    const outs = [ioport(c, "--help"), ioport(c, "-h"), ioport("help", c)];
    for (const r of outs) {
      expect(r.status).toBe(0);
      expect(r.stderr).toBe("");
      expect(r.stdout).toMatch(new RegExp(`^usage: ioport ${c}`));
      expect(r.stdout).toMatch(/^exit: 0 /m);
    }
    expect(outs[1]!.stdout).toBe(outs[0]!.stdout);
    expect(outs[2]!.stdout).toBe(outs[0]!.stdout);
  });
});

// [arguments, the one line on stderr (a pattern), what must not exist afterwards]
const BAD: [string[], RegExp, string?][] = [
  [["frobnicate"], /^ioport: unknown command "frobnicate" \(commands: start, sim, dst, firmware, hil.*\)$/],
  [["help", "frobnicate"], /^ioport: unknown command "frobnicate"/],
  [["start", "--board", "nope"], /^ioport start: unknown board "nope" \(boards: sim-devkit, pico, .*\) \(see ioport start --help\)$/],
  [["start", "--seed", "x"], /^ioport start: --seed must be an integer from 0 to 4294967295, got "x"/],
  [["sim"], /^ioport sim: which scenario\? give a scenario file/],
  [["sim", "-x", example], /^ioport sim: unknown option -x \(options: --seed, --trace, --vcd, --quiet, --json\)/],
  [["sim", join(tmp, "missing.json")], /^ioport sim: .*missing\.json: cannot read: ENOENT/],
  [["sim", example, "--trace", join(aFile, "x.json")], /^ioport sim: --trace .*a-file\/x\.json: cannot write there \(a part of it is a file, not a folder\); give a path in a writable folder/],
  [["sim", example, "--vcd", tmp], /^ioport sim: --vcd .*: is a directory; give a file path/],
  [["sim", scenario("long", { duration: 1e300 })], /^ioport sim: .*long\.json: duration: 1e\+300 is beyond the simulator's limit of 600 s of virtual time per run/],
  [["sim", scenario("long2", { duration: "9999999s" })], /^ioport sim: .*long2\.json: duration: "9999999s" is beyond the simulator's limit of 600 s/],
  [
    ["sim", scenario("late", { duration: "10ms", stimulus: [{ uart: 0, at: "20ms", send: "x" }] })],
    /^ioport sim: .*late\.json: stimulus\[0\]: starts at 20ms, after the scenario's duration 10ms, so it would never happen; lengthen "duration" or move the stimulus/,
  ],
  [
    ["sim", scenario("cut", { duration: "10ms", stimulus: [{ gpio: 0, square: { period: "1ms", count: 20 } }] })],
    /^ioport sim: .*cut\.json: stimulus\[0\]: lasts until 19\.5ms, after the scenario's duration 10ms, so it would be cut short/,
  ],
  [["dst", "--seeds", "0"], /^ioport dst: --seeds must be an integer from 1 to 1000000, got "0"/],
  [["dst", "--seeds", "1", "--trace", join(aFile, "x.json")], /^ioport dst: --trace .*: cannot write there/],
  [["dst", "--seeds", "2", "--trace", join(tmp, "two.json")], /^ioport dst: --trace records one run: use it with --seeds 1/, join(tmp, "two.json")],
  [["hil", "--sim", "--modes", "a,e"], /^ioport hil: --modes takes distinct modes among a, b, c, d separated by commas, got "a,e"/],
  [["hil", "--sim", "--samples", "1000000"], /^ioport hil: --samples needs an integer from 1 to 100000, got "1000000"/],
  [["hil", "--sim", "--svg", join(aFile, "p.svg")], /^ioport hil: --svg .*: cannot write there/],
  [["firmware"], /^ioport firmware: --board <name> is required \(boards: /],
  [["firmware", "--board", "nope"], /^ioport firmware: unknown board "nope"/],
  [["firmware", "--board", "pico", "--app", "blink"], /^ioport firmware: --app must be main or irq-latency, got "blink"/],
];

describe("ioport: bad input is one line on stderr and exit 2, before any work", () => {
  it.each(BAD)("ioport %j", (args, line, absent) => {
    const r = ioport(...args);
    expect(r.stderr.split("\n")).toEqual([expect.stringMatching(line), ""]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe(""); // nothing ran: no log line, no summary
    if (absent !== undefined) expect(existsSync(absent)).toBe(false);
  });
});

describe("ioport: output files", () => {
  it("a missing folder on an output path is created before the run, and the command says where it wrote", () => {
    const vcd = join(tmp, "new", "dir", "echo.vcd");
    const r = ioport("sim", example, "--quiet", "--vcd", vcd);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`VCD waveforms: ${vcd}`);
    expect(readFileSync(vcd, "utf8")).toMatch(/^\$comment/);
  });

  it("an unnamed scenario is called after its file, and counts read in the right number", () => {
    const f = scenario("quiet-board", { duration: "1ms" });
    writeFileSync(join(tmp, "t.js"), "export default function () {}\n");
    const r = ioport("sim", f);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^scenario quiet-board \(board sim-devkit, seed 1\)/m);
    const s = ioport("start");
    expect(s.stdout).toContain("irq   | button: 1 edge, 1 press\n");
    expect(s.stdout).not.toMatch(/\b1 (edges|presses)\b/);
  });
});
