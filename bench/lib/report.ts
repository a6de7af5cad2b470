/** Result records and the table printed by both engines' runners. */
import type { BenchCase, Measurement } from "./types.js";

export interface CaseResult {
  id: string;
  title: string;
  unit: string;
  engine: string;
  baseline: Measurement;
  variants: (Measurement & { ratio: number })[];
  targets: { label: string; maxRatio: number; ratio: number; met: boolean }[];
}

export function caseResult(c: BenchCase, engine: string, baseline: Measurement, variants: Measurement[]): CaseResult {
  const vs = variants.map((m) => ({ ...m, ratio: m.nsPerUnit / baseline.nsPerUnit }));
  const targets = (c.targets ?? [])
    .filter((t) => t.engine === undefined || t.engine === engine)
    .map((t) => {
      const v = vs.find((x) => x.label === t.label);
      const ratio = v ? v.ratio : NaN;
      return { label: t.label, maxRatio: t.maxRatio, ratio, met: ratio <= t.maxRatio };
    });
  return { id: c.id, title: c.title, unit: c.unit, engine, baseline, variants: vs, targets };
}

function fmt(ns: number): string {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(1)} ns`;
}

export function table(results: CaseResult[]): string {
  const rows: string[][] = [["engine", "benchmark", "variant", "time/unit", "units/s", "× baseline"]];
  for (const r of results) {
    rows.push([r.engine, r.title, `${r.baseline.label} (baseline)`, fmt(r.baseline.nsPerUnit), r.baseline.unitsPerSecond.toExponential(2), "1.00"]);
    for (const v of r.variants) rows.push(["", "", v.label, fmt(v.nsPerUnit), v.unitsPerSecond.toExponential(2), v.ratio.toFixed(2)]);
    for (const t of r.targets) rows.push(["", "", `target: ${t.label} ≤ ${t.maxRatio}×`, "", "", `${t.ratio.toFixed(2)} ${t.met ? "met" : "MISSED"}`]);
  }
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(w[i]!)).join("  ").trimEnd()).join("\n");
}
