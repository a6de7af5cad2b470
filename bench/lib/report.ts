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

/** `variants` carry their ratio to the baseline (bench/lib/measure.ts: the median of per-round ratios). */
export function caseResult(c: BenchCase, engine: string, baseline: Measurement, variants: (Measurement & { ratio: number })[]): CaseResult {
  const vs = variants;
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
  // each case's title on a line of its own, its rows below: the widest rows then fit about 100 columns
  const rows: (string[] | string)[] = [["variant", "time/unit", "units/s", "× baseline"]];
  for (const r of results) {
    rows.push(`${r.engine} · ${r.title}`);
    rows.push([`  ${r.baseline.label} (baseline)`, fmt(r.baseline.nsPerUnit), r.baseline.unitsPerSecond.toExponential(2), "1.00"]);
    for (const v of r.variants) rows.push([`  ${v.label}`, fmt(v.nsPerUnit), v.unitsPerSecond.toExponential(2), v.ratio.toFixed(2)]);
    for (const t of r.targets) rows.push([`  target: ${t.label} ≤ ${t.maxRatio}×`, "", "", `${t.ratio.toFixed(2)} ${t.met ? "met" : "MISSED"}`]);
  }
  const cells = rows.filter((r): r is string[] => typeof r !== "string");
  const w = cells[0]!.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => (typeof r === "string" ? r : r.map((c, i) => c.padEnd(w[i]!)).join("  ").trimEnd())).join("\n");
}

/** One allocation case as measured in XS (tools/xs/run-bench.mjs). */
export interface AllocResult {
  id: string;
  title: string;
  unit: string;
  control: boolean;
  stimulus: boolean;
  /** The stimulus row this one is read against (its allocation subtracted), or null. */
  stimulusId?: string | null;
  /** Operations per measured crank (the difference of a 2N and an N crank). */
  n: number;
  slotsPerOp: number;
  chunkBytesPerOp: number | null;
  computePerOp: number;
}

export interface MemResult {
  id: string;
  title: string;
  unit: string;
  count: number;
  slotsPer: number;
  chunkBytesPer: number | null;
  bytesPerHost: number;
}

/**
 * Whole slots or chunk bytes allocated per N operations, below which a loop
 * counts as allocating nothing per operation: the N and 2N cranks differ by
 * at most a slot and a few dozen bytes of their own (the longer count in the
 * script), while one allocation per operation shows as ≥ N slots or ≥ 16·N
 * bytes.
 */
export const ZERO_SLOTS = 2;
export const ZERO_CHUNK_BYTES = 64;

/** Whether per-op counts, over one crank of `n` operations, stay within the zero bounds (chunks unknown: not checked). */
function withinZero(slotsPerOp: number, chunkBytesPerOp: number | null, n: number): boolean {
  return slotsPerOp * n <= ZERO_SLOTS && (chunkBytesPerOp === null || chunkBytesPerOp * n <= ZERO_CHUNK_BYTES);
}

export function allocatesNothing(a: AllocResult): boolean {
  return withinZero(a.slotsPerOp, a.chunkBytesPerOp, a.n);
}

/**
 * Whether `a` allocates nothing beyond its stimulus row `s` (the same
 * simulated input fed to a plain sink): the per-crank difference within the
 * same bounds as allocatesNothing.
 */
export function kernelShareIsZero(a: AllocResult, s: AllocResult): boolean {
  const chunks = a.chunkBytesPerOp === null || s.chunkBytesPerOp === null ? null : a.chunkBytesPerOp - s.chunkBytesPerOp;
  return withinZero(a.slotsPerOp - s.slotsPerOp, chunks, a.n);
}

function num(v: number | null, digits = 2): string {
  if (v === null) return "n/a";
  return Math.abs(v) < 0.005 ? "0" : v.toFixed(digits);
}

export function allocTable(rows: AllocResult[]): string {
  const out: string[][] = [["loop (XS, steady state)", "per", "slots/op", "chunk B/op", "computrons/op", "zero?"]];
  for (const a of rows) {
    const s = a.stimulusId ? rows.find((r) => r.id === a.stimulusId) : undefined;
    const verdict = a.control
      ? a.slotsPerOp >= 1
        ? "control: seen"
        : "CONTROL NOT SEEN"
      : a.stimulus
        ? "(simulator)"
        : s !== undefined
          ? kernelShareIsZero(a, s)
            ? "yes, beyond the simulator's (row below)"
            : "NO (more than the simulator's)"
          : allocatesNothing(a)
            ? "yes"
            : "NO";
    out.push([a.title, a.unit, num(a.slotsPerOp), num(a.chunkBytesPerOp), a.computePerOp.toFixed(0), verdict]);
  }
  return align(out);
}

export function memTable(rows: MemResult[]): string {
  const out: string[][] = [["memory (XS, live after gc)", "measured over", "slots each", "chunk B each", "bytes each (64-bit host)"]];
  for (const m of rows) out.push([m.title, `${m.count}`, num(m.slotsPer, 1), num(m.chunkBytesPer, 1), m.bytesPerHost.toFixed(0)]);
  return align(out);
}

function align(rows: string[][]): string {
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(w[i]!)).join("  ").trimEnd()).join("\n");
}
