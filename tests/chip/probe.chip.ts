/**
 * The latency probe (firmware/irq-latency, all four modes in one image)
 * run by `ioport emu --probe` as a user runs it, and read back by
 * `ioport hil`: what the chip must get right, on the emulator's clock.
 * - Every edge of every mode arrives (200 each, none lost, none stray),
 *   through the native capture and, for (b), (c) and (d), the native fast
 *   lane.
 * - The IrqEvent's timestamp is the ISR's: within 1 µs of the emulator's
 *   edge, in every kernel mode.
 * - The 1 kHz timer line on a hardware alarm: 10,000 periods counted as
 *   10,000, each timestamp within 2 µs of its due time, none drifting.
 * The dispatch times themselves are figures, not assertions (docs/chip.md
 * gives them and the command).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildReport } from "../../tools/hil/report.js";
import { parseHil } from "../../tools/hil/format.js";
import { readFileSync } from "node:fs";
import { buildImage, root } from "./chip-env.js";

let recording = "";
let stdout = "";

beforeAll(() => {
  const image = buildImage(["--app", "irq-latency"]);
  recording = join(mkdtempSync(join(tmpdir(), "ioport-probe-")), "probe.txt");
  const r = spawnSync(process.execPath, [join(root, "tools", "bin", "ioport.js"), "emu", image, "--probe", "--record", recording], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`ioport emu --probe failed (exit ${r.status}):\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
  stdout = r.stdout;
}, 900_000);

describe("the latency probe on the emulated Pico (ioport emu --probe)", () => {
  it("delivers every edge of every mode: 200 each, none lost, none stray", () => {
    const run = parseHil(readFileSync(recording, "utf8"));
    expect(run.complete).toBe(true);
    expect(run.problems).toEqual([]);
    for (const m of ["a", "b", "c", "d"] as const) {
      expect(run.samples[m]).toHaveLength(200);
      expect(run.ground[m]).toHaveLength(200);
      expect(run.lost[m]).toBe(0);
    }
    console.log(stdout.split("\n").filter((l) => /^[abcd] |overhead|timer line/.test(l)).join("\n"));
  });

  it("timestamps each kernel-mode interrupt within 1 µs of the emulator's edge", () => {
    const report = buildReport(parseHil(readFileSync(recording, "utf8")), recording);
    for (const m of ["b", "c", "d"] as const) {
      const s = report.stampError![m]!;
      expect(s.n).toBe(200);
      expect(Math.max(Math.abs(s.min), Math.abs(s.max))).toBeLessThan(1);
    }
  });

  it("counts a 1 kHz timer line's 10,000 periods exactly, each within 2 µs of its due time", () => {
    const t = parseHil(readFileSync(recording, "utf8")).timerLine;
    expect(t).not.toBeNull();
    expect(t!.periods).toBe(10_000);
    expect(t!.counted).toBe(10_000);
    expect(Math.max(Math.abs(t!.errMinNs), Math.abs(t!.errMaxNs))).toBeLessThanOrEqual(2000);
    expect(Math.abs(t!.lastErrNs)).toBeLessThanOrEqual(2000);
  });
});
