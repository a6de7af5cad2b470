/**
 * Recordings made by `ioport emu --probe` on the emulated RP2040 (console
 * UART0, USB host not attached; fixtures emu-uart0-mode-*.txt, one build per
 * mode): the emulator's edge times (G lines) pair with the probe's samples,
 * and `ioport hil` reports both clocks when it merges them.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseHil } from "../tools/hil/format.js";
import { mergeRuns } from "../tools/hil/merge.js";
import { buildReport, renderTable } from "../tools/hil/report.js";

const file = (m: string): string => new URL(`./fixtures/hil/emu-uart0-mode-${m}.txt`, import.meta.url).pathname;
const parts = ["a", "b", "c", "d"].map((m) => ({ file: file(m), run: parseHil(readFileSync(file(m), "utf8")) }));

describe("emulator ground truth in probe recordings", () => {
  it("gives every sample an emulator edge time, never after user code and never before the probe's clock reading", () => {
    for (const { run } of parts) {
      const m = run.header!.modes[0]!;
      expect(run.complete).toBe(true);
      expect(run.ground[m]).toHaveLength(run.samples[m].length);
      run.ground[m].forEach((g, i) => {
        // the probe's latency runs from its clock reading before the write: never shorter than from the edge itself
        expect(g).toBeGreaterThanOrEqual(0);
        expect(g).toBeLessThanOrEqual((run.samples[m][i] as number) + 1);
      });
    }
  });

  it("merged, reports both clocks with their own ratios to the raw callback", () => {
    const report = buildReport(mergeRuns(parts), "fixtures");
    expect(report.ground).toBeDefined();
    const p50 = (r: typeof report.modes) => Object.fromEntries(r.map((m) => [m.mode, m.stats!.p50]));
    const ground = p50(report.ground!.modes);
    const probe = p50(report.modes);
    for (const m of ["a", "b", "c", "d"]) expect(ground[m]).toBeLessThan(probe[m] as number);
    expect(report.ground!.ratios.d!.p50).toBeCloseTo((ground.d as number) / (ground.a as number), 12);
    const text = renderTable(report);
    expect(text).toContain("on the emulator's clock (ground truth): from the pin's edge to user code");
    expect(text).toContain("on the probe's clock (ioport/clock): from before the pin write to user code");
  });
});

describe("IrqEvent timestamps against the emulator's edges", () => {
  // all four modes in one image, GPIO interrupts captured natively (drivers/moddable/irqcapture)
  const run = parseHil(readFileSync(new URL("./fixtures/hil/emu-uart0-native-abcd.txt", import.meta.url).pathname, "utf8"));

  it("pairs every kernel-mode sample's IrqEvent timestamp (I) with the emulator's edge (G); the raw mode has none", () => {
    expect(run.complete).toBe(true);
    expect(run.stampError.a).toEqual([]);
    for (const m of ["b", "c", "d"] as const) expect(run.stampError[m]).toHaveLength(200);
  });

  it("has the ISR's timestamps within the 1 µs timer's resolution of the edge", () => {
    for (const m of ["b", "c", "d"] as const) {
      for (const e of run.stampError[m]) {
        expect(e).toBeGreaterThan(-1);
        expect(e).toBeLessThan(1);
      }
    }
  });
});
