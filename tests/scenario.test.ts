// `ioport sim`: scenario validation with errors naming the bad field, the
// example scenarios (JSON and a TS module) producing a Perfetto trace and a
// VCD file, byte-identical outputs for the same seed, and a non-zero exit
// code when a task throws.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, vi } from "vitest";
import { parseDuration, validateScenario } from "../host-sim/index.js";
import { main } from "../tools/cli.js";

const examples = fileURLToPath(new URL("../examples/scenarios/", import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "ioport-sim-"));

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const so = vi.spyOn(process.stdout, "write").mockImplementation((s) => (out.push(String(s)), true));
  const se = vi.spyOn(process.stderr, "write").mockImplementation((s) => (err.push(String(s)), true));
  try {
    const code = await main(["sim", ...args]);
    return { code, out: out.join(""), err: err.join("") };
  } finally {
    so.mockRestore();
    se.mockRestore();
  }
}

const base = { duration: "10ms", tasks: [{ name: "t", module: "./t.js" }] };

describe("scenario validation", () => {
  it("parses durations with units", () => {
    expect(parseDuration("1.5ms", "x")).toBe(1_500_000);
    expect(parseDuration("250us", "x")).toBe(250_000);
    expect(parseDuration("2s", "x")).toBe(2e9);
    expect(parseDuration(42, "x")).toBe(42);
    expect(() => parseDuration("10 parsecs", "stimulus[0].at")).toThrow(/^stimulus\[0\]\.at: expected a duration/);
  });

  it.each([
    [{ ...base, duration: undefined }, /^duration: required/],
    [{ ...base, tasks: [] }, /^tasks: expected a non-empty array/],
    [{ ...base, tasks: [{ name: "t" }] }, /^tasks\[0\]\.module: expected the path/],
    [{ ...base, tasks: [{ name: "t", module: "a" }, { name: "t", module: "b" }] }, /^tasks\[1\]\.name: duplicate task name "t"/],
    [{ ...base, stimulus: [{ gpio: 0, square: { period: "1ms", count: 3, duty: 2 } }] }, /^stimulus\[0\]\.square\.duty: expected a number between 0 and 1/],
    [{ ...base, stimulus: [{ gpio: 0, at: "1ms", level: 1 }, { uart: 0, at: "1ms", sned: "x" }] }, /^stimulus\[1\]\.sned: unknown field/],
    [{ ...base, stimulus: [{ uart: 0, bytes: [1, 256] }] }, /^stimulus\[0\]\.bytes\[1\]: expected an integer from 0 to 255/],
    [{ ...base, spi: [{ bus: 0, device: "eeprom" }] }, /^spi\[0\]\.device: unknown device model "eeprom"/],
    [{ ...base, colour: "blue" }, /^scenario\.colour: unknown field/],
    [{ ...base, tasks: [{ name: "t", run: () => {} }] }, /^tasks\[0\]\.run: a task function is allowed only in a JS\/TS scenario file/],
  ])("rejects %j", (sc, msg) => {
    expect(() => validateScenario(sc)).toThrow(msg);
  });

  it("the CLI names the file and the field, and exits 2", async () => {
    const f = join(tmp, "bad.json");
    writeFileSync(f, JSON.stringify({ ...base, stimulus: [{ gpio: 0, burst: { at: "1ms", edges: 3, interval: "fast" } }] }));
    const r = await cli([f]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${f}: stimulus[0].burst.interval: expected a duration`);
    writeFileSync(f, "{ not json");
    expect((await cli([f])).err).toMatch(/bad\.json: invalid JSON/);
  });
});

describe("ioport sim with the example scenarios", () => {
  it("uart-echo-button: echoes the lines, toggles the LED per press, and writes a Perfetto trace and a VCD file", async () => {
    const trace = join(tmp, "echo.json");
    const vcd = join(tmp, "echo.vcd");
    const r = await cli([join(examples, "uart-echo-button.json"), "--json", "--trace", trace, "--vcd", vcd]);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out);
    expect(rep.tasks.map((t: { name: string; state: string }) => [t.name, t.state])).toEqual([
      ["echo", "running"],
      ["button", "running"],
    ]);
    expect(rep.devices.uart[0]).toMatchObject({ rxBytes: 14, txBytes: 14, framingErrors: 1, overruns: 0 });
    expect(rep.logs.filter((l: string) => l.includes("press"))).toHaveLength(2);
    expect(rep.tasks[1].completions.IRQ_WAIT).toBeGreaterThan(0);
    const doc = JSON.parse(readFileSync(trace, "utf8"));
    const cats = new Set(doc.traceEvents.map((e: { cat: string }) => e.cat));
    for (const c of ["syscall", "op", "reap", "irq", "uart"]) expect(cats).toContain(c);
    const v = readFileSync(vcd, "utf8");
    expect(v).toContain("$timescale 1ns $end");
    expect(v).toMatch(/\$var wire 1 \S+ uart0_rx \$end/);
    expect(v).toMatch(/\$var wire 1 \S+ gpio2 \$end/);
  });

  it("spi-flash-logger: the logger task writes and verifies its records and returns", async () => {
    const r = await cli([join(examples, "spi-flash-logger.json"), "--json"]);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out);
    expect(rep.tasks[0].state).toBe("returned");
    expect(rep.logs.at(-1)).toMatch(/8 records verified/);
    expect(rep.liveObjects).toBe(0);
  });

  it("noisy-button.ts (a TS module with programmatic stimulus) runs, and --seed changes the run reproducibly", async () => {
    const a = await cli([join(examples, "noisy-button.ts"), "--json", "--seed", "3"]);
    const b = await cli([join(examples, "noisy-button.ts"), "--json", "--seed", "3"]);
    const c = await cli([join(examples, "noisy-button.ts"), "--json", "--seed", "4"]);
    expect(a.code).toBe(0);
    const [ra, rb, rc] = [a, b, c].map((x) => JSON.parse(x.out));
    expect(ra.logs.filter((l: string) => l.includes("press"))).toHaveLength(6);
    expect(rb.devices).toEqual(ra.devices);
    expect(rc.devices.gpioEdges).not.toEqual(ra.devices.gpioEdges);
  });

  it("the same seed gives byte-identical trace and VCD files", async () => {
    const outs: string[] = [];
    for (const i of [1, 2]) {
      const trace = join(tmp, `same${i}.json`);
      const vcd = join(tmp, `same${i}.vcd`);
      expect((await cli([join(examples, "uart-echo-button.json"), "--quiet", "--trace", trace, "--vcd", vcd])).code).toBe(0);
      outs.push(readFileSync(trace, "utf8") + readFileSync(vcd, "utf8"));
    }
    expect(outs[1]).toBe(outs[0]);
  });

  it("exits 1 and reports the exception when a task throws", async () => {
    writeFileSync(
      join(tmp, "crash.mjs"),
      `export default async function ({ sys }) {
         const port = sys.io_create(0);
         const cqe = 64;
         await sys.io_wait(port, cqe, 1, 0, 0);
         throw new Error("sensor went away");
       }`,
    );
    writeFileSync(join(tmp, "crash.json"), JSON.stringify({ duration: "1ms", tasks: [{ name: "crashy", module: "./crash.mjs" }] }));
    const r = await cli([join(tmp, "crash.json")]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("task crashy: threw");
    expect(r.out).toContain("sensor went away");
    expect(r.out).toContain("FAILED: task crashy threw");
  });
});
