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
import { ioplLine } from "../firmware/irq-latency/probe.js";

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

describe("the native fast lane's recording and its timer-line check (T)", () => {
  // all four modes in one image with the native capture and lane, and the
  // probe's 1 kHz timer line on a hardware alarm, checked first (emu-uart0-lane.txt)
  const text = readFileSync(new URL("./fixtures/hil/emu-uart0-lane.txt", import.meta.url).pathname, "utf8");
  const run = parseHil(text);

  it("reads the T record before the header into the run it precedes", () => {
    expect(run.complete).toBe(true);
    expect(run.problems).toEqual([]);
    expect(run.timerLine).toMatchObject({ periods: 10000, counted: 10000, periodNs: 1_000_000 });
  });

  it("keeps a run's T record with the next run when a stream carries two", () => {
    const two = parseHil(text + text);
    expect(two.timerLine).toEqual(run.timerLine);
    expect(two.samples.a).toHaveLength(200);
  });

  it("counts every period and timestamps each within 2 µs of its due time, with no drift", () => {
    const t = run.timerLine!;
    expect(t.counted).toBe(t.periods);
    expect(Math.max(Math.abs(t.errMinNs), Math.abs(t.errMaxNs), Math.abs(t.errP99Ns))).toBeLessThanOrEqual(2000);
    expect(Math.abs(t.lastErrNs)).toBeLessThanOrEqual(2000);
  });

  it("has the IrqEvent timestamps of the lane's deliveries within 1 µs of the emulator's edge", () => {
    for (const m of ["b", "c", "d"] as const) {
      expect(run.stampError[m]).toHaveLength(200);
      for (const e of run.stampError[m]) expect(Math.abs(e)).toBeLessThan(1);
    }
  });

  it("renders the timer line in the report", () => {
    expect(renderTable(buildReport(run, "fixture"))).toMatch(/timer line, 10000 periods of 1000\.0 µs: IrqEvent timestamp less the due time \(µs\): p50 ≤ 0\.1 p99 ≤ 0\.1 min -1\.0 max 1\.0 last 0\.0; 10000 interrupts counted in 9998 completions/);
  });

  it("skips a T record missing a field (its checksum right), naming the fields", () => {
    const bad = parseHil(ioplLine("IOPL1 T periods=10 counted=10"));
    expect(bad.timerLine).toBeNull();
    expect(bad.problems.map((p) => p.message)).toContain(
      "line 1: a timer-line record needs periods=<n> counted=<n> batches=<n> period_ns=<n> err_p50_ns=<n> err_p99_ns=<n> err_min_ns=<n> err_max_ns=<n> last_err_ns=<n>; line skipped",
    );
  });
});
