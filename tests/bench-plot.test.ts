// The bench's ratio chart: one bar per variant, coloured by its target,
// deterministic bytes.
import { describe, expect, it, vi } from "vitest";
import { renderRatioSvg } from "../bench/lib/plot.js";
import type { CaseResult } from "../bench/lib/report.js";

const m = (label: string, ns: number) => ({ label, nsPerUnit: ns, unitsPerSecond: 1e9 / ns, samples: 5, units: 500 });
const results: CaseResult[] = [
  {
    id: "irq-dispatch",
    title: "IRQ dispatch",
    unit: "interrupt",
    engine: "xs",
    baseline: m("raw", 100),
    variants: [
      { ...m("fast", 180), ratio: 1.8 },
      { ...m("slow", 900), ratio: 9 },
    ],
    targets: [{ label: "fast", maxRatio: 2, ratio: 1.8, met: true }],
  },
  {
    id: "nop",
    title: "NOP <batch 32>",
    unit: "op",
    engine: "node",
    baseline: m("direct", 10),
    variants: [{ ...m("io_wait_cb", 25), ratio: 2.5 }],
    targets: [{ label: "io_wait_cb", maxRatio: 2, ratio: 2.5, met: false }],
  },
];

describe("bench ratio chart", () => {
  it("draws one bar per variant, green for a met target, red for a missed one, grey without", () => {
    const svg = renderRatioSvg(results, "t");
    expect(svg.startsWith("<svg")).toBe(true);
    expect((svg.match(/fill="#2ca02c"/g) ?? []).length).toBe(1);
    expect((svg.match(/fill="#d62728"/g) ?? []).length).toBe(1);
    expect((svg.match(/fill="#8c9bb0"/g) ?? []).length).toBe(1);
    expect(svg).toContain("1.80×");
    expect(svg).toContain("9.00×");
    expect(svg).toContain("node · NOP &lt;batch 32&gt;"); // labels are escaped
  });

  it("uses a log axis: 2× is as far right of 1× as 0.5× is left of it", () => {
    const svg = renderRatioSvg(results, "t");
    const x = (label: string): number => Number((svg.match(new RegExp(`<text x="([0-9.]+)" y="[0-9.]+" text-anchor="middle">${label}</text>`)) ?? [])[1]);
    expect(x("2×") - x("1×")).toBeCloseTo(x("1×") - x("0.5×"), 0) // rounded to 0.1 px in the SVG;
  });

  it("depends on its inputs only: not on the clock or the objects' identity, and every ratio shows", () => {
    vi.useFakeTimers();
    try {
      vi.setSystemTime(new Date("2020-01-01T00:00:00Z"));
      const a = renderRatioSvg(results, "t");
      vi.setSystemTime(new Date("2031-06-15T12:34:56Z"));
      const b = renderRatioSvg(structuredClone(results), "t");
      expect(b).toBe(a);
    } finally {
      vi.useRealTimers();
    }
    // and it is not a constant: another ratio draws other bytes
    const changed = structuredClone(results);
    changed[0]!.variants[0]!.ratio = 1.5;
    expect(renderRatioSvg(changed, "t")).not.toBe(renderRatioSvg(results, "t"));
  });
});
