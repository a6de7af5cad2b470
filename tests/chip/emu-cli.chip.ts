/**
 * `ioport emu` as a user runs it, on the demo image: a scenario typed into
 * UART0 at a pace and a button press, the console with emulated times, the
 * JSON report, and --until.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildImage, root } from "./chip-env.js";

let image = "";
beforeAll(() => {
  image = buildImage([]);
}, 900_000);

const emu = (...args: string[]) => spawnSync(process.execPath, [join(root, "tools", "bin", "ioport.js"), "emu", image, ...args], { encoding: "utf8" });

describe("ioport emu on the demo image", () => {
  it("runs a scenario: typed commands answered, the button press counted, timestamped lines, the run as JSON", () => {
    const out = join(mkdtempSync(join(tmpdir(), "ioport-emu-")), "run.json");
    const r = emu("--scenario", join(root, "tests", "chip", "fixtures", "typing.json"), "--json", out);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^\[ +\d+\.\d{3} ms\] ioport demo 1 on pico - type help$/m);
    const doc = JSON.parse(readFileSync(out, "utf8")) as { emulatedNs: number; lines: { ns: number; text: string }[]; usbHost: boolean };
    // the run ends at the first instruction boundary at or after --duration (a Cortex-M0+ instruction: a few cycles of 8 ns)
    expect(doc.emulatedNs).toBeGreaterThanOrEqual(1000e6);
    expect(doc.emulatedNs).toBeLessThan(1000e6 + 1000);
    expect(doc.usbHost).toBe(false);
    const status = doc.lines.filter((l) => /button presses/.test(l.text));
    expect(status.map((l) => /led (on|off), button presses (\d+)/.exec(l.text)?.slice(1))).toEqual([["off", "0"], ["on", "1"]]);
    expect(status[0]!.ns).toBeGreaterThan(400e6 + 6 * 10e6); // after the last typed byte
    expect(r.stdout).toContain(`ioport emu: wrote ${out}`);
  }, 600_000);

  it("--until stops at a line; one that never comes is exit 1", () => {
    const ok = emu("--until", "type help", "--duration", "2s");
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/ms\] ioport demo 1 on pico - type help\n/);
    const never = emu("--until", "no such line", "--duration", "300ms");
    expect(never.status).toBe(1);
    expect(never.stderr).toMatch(/"no such line" never appeared on uart0 in 300\.0 ms of emulated time/);
  }, 600_000);
});
