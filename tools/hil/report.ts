/**
 * The analysis of one probe run: per-mode statistics, overhead ratios
 * against the raw callback (a), and the terminal rendering (table and
 * unicode histograms). The same Report is written as JSON.
 */
import { MODE_NAMES, type ModeName } from "../../firmware/irq-latency/probe.js";
import type { HilProblem, HilRun, HilTimerLine } from "./format.js";
import { computeStats, ratio, type Stats } from "./stats.js";

export const MODE_LABELS: Record<ModeName, string> = {
  a: "raw onReadable",
  b: "io_wait_cb",
  c: "io_wait + await",
  d: "multishot io_watch",
};

export interface ModeReport {
  mode: ModeName;
  label: string;
  stats: Stats | null;
  lost: number;
}

export interface Report {
  format: "IOPL1";
  source: string;
  board: string | null;
  clock: string | null;
  /** Samples announced per mode, when every mode's header announced the same number; else null. */
  announced: number | null;
  /** Only when merged recordings announced different numbers (or some mode had no header): each mode's, if known. */
  announcedPerMode?: Partial<Record<ModeName, number>>;
  complete: boolean;
  modes: ModeReport[];
  /** Overheads against mode a: (x)/(a) at p50 and p99; null when a or x is absent or a is 0. */
  ratios: Partial<Record<"b" | "c" | "d", { p50: number | null; p99: number | null }>>;
  lines: number;
  unknownLines: number;
  problems: HilProblem[];
  samples: Partial<Record<ModeName, number[]>>;
  /** Edge → user code timed from the emulator's own edge times (G lines of `ioport emu --probe`), when the recording has them. */
  ground?: Pick<Report, "modes" | "ratios">;
  /** The IrqEvent's timestamp less the emulator's edge time (µs), per mode that has both. */
  stampError?: Partial<Record<ModeName, Stats>>;
  /** The timer-line check, when the recording has one. */
  timerLine?: HilTimerLine;
}

/** Per-mode statistics of `samples` and their overheads against mode a. */
function modeStats(order: readonly ModeName[], samples: Record<ModeName, number[]>, lost: Record<ModeName, number>): Pick<Report, "modes" | "ratios"> {
  const modes = order.map((m) => ({ mode: m, label: MODE_LABELS[m], stats: computeStats(samples[m]), lost: lost[m] }));
  const base = modes.find((m) => m.mode === "a")?.stats ?? null;
  const ratios: Report["ratios"] = {};
  for (const x of ["b", "c", "d"] as const) {
    const s = modes.find((m) => m.mode === x)?.stats ?? null;
    if (s !== null && base !== null) ratios[x] = { p50: ratio(s.p50, base.p50), p99: ratio(s.p99, base.p99) };
  }
  return { modes, ratios };
}

export function buildReport(run: HilRun, source: string): Report {
  const h = run.header;
  const order: ModeName[] = h ? h.modes : MODE_NAMES.filter((m) => run.samples[m].length > 0);
  const { modes, ratios } = modeStats(order, run.samples, run.lost);
  const hasGround = order.some((m) => run.ground[m].length > 0);
  const samples: Report["samples"] = {};
  for (const m of order) samples[m] = run.samples[m];
  const per = run.announcedPerMode ?? (h ? Object.fromEntries(h.modes.map((m) => [m, h.n])) : {});
  const counts = order.map((m) => per[m]);
  const one = counts.every((n) => n !== undefined && n === counts[0]) ? (counts[0] ?? null) : null;
  return {
    format: "IOPL1",
    source,
    board: h ? h.board : null,
    clock: h ? h.clock : null,
    announced: one,
    ...(one === null && Object.keys(per).length > 0 ? { announcedPerMode: per } : {}),
    complete: run.complete,
    modes,
    ratios,
    lines: run.lines,
    unknownLines: run.unknownLines,
    problems: run.problems,
    samples,
    ...(hasGround ? { ground: modeStats(order, run.ground, run.lost) } : {}),
    ...(order.some((m) => run.stampError[m].length > 0)
      ? { stampError: Object.fromEntries(order.filter((m) => run.stampError[m].length > 0).map((m) => [m, computeStats(run.stampError[m]) as Stats])) }
      : {}),
    ...(run.timerLine !== null ? { timerLine: run.timerLine } : {}),
  };
}

function fmt(x: number, digits = 0): string {
  return Number.isInteger(x) && digits === 0 ? String(x) : x.toFixed(digits === 0 ? 1 : digits);
}

function pad(s: string, w: number, left = false): string {
  return left ? s.padEnd(w) : s.padStart(w);
}

function fmtRatio(r: number | null | undefined): string {
  return r === null || r === undefined ? "n/a" : `${r.toFixed(2)}×`;
}

/** The statistics table. */
export function renderTable(r: Report): string {
  const out: string[] = [];
  const perMode = r.announcedPerMode;
  const per =
    r.announced !== null
      ? `${r.announced} samples per mode announced`
      : perMode
        ? `samples announced ${r.modes.map((m) => `${m.mode} ${perMode[m.mode] ?? "?"}`).join(", ")}`
        : "no header: samples announced unknown";
  out.push(`board ${r.board ?? "?"} · clock ${r.clock ?? "?"} · ${per} · source ${r.source}`);
  out.push(...tableRows(r, r.ground ? `on the probe's clock (${r.clock ?? "?"}): from before the pin write to user code` : null));
  if (r.ground) out.push(...tableRows(r.ground, "on the emulator's clock (ground truth): from the pin's edge to user code"));
  if (r.stampError) {
    const parts = Object.entries(r.stampError).map(([m, s]) => `${m} p50 ${fmt(s.p50, 2)} p99 ${fmt(s.p99, 2)} max ${fmt(s.max, 2)}`);
    out.push(`IrqEvent timestamp less the emulator's edge time (µs): ${parts.join("   ")}`);
  }
  const t = r.timerLine;
  if (t !== undefined) {
    const us = (ns: number): string => (ns / 1000).toFixed(1);
    out.push(
      `timer line, ${t.periods} periods of ${us(t.periodNs)} µs: IrqEvent timestamp less the due time (µs): p50 ≤ ${us(t.errP50Ns)} p99 ≤ ${us(t.errP99Ns)} ` +
        `min ${us(t.errMinNs)} max ${us(t.errMaxNs)} last ${us(t.lastErrNs)}; ${t.counted} interrupts counted in ${t.batches} completions`,
    );
  }
  return out.join("\n") + "\n";
}

function tableRows(r: Pick<Report, "modes" | "ratios">, title: string | null): string[] {
  const out: string[] = [];
  if (title !== null) out.push(title);
  const head = [pad("mode", 22, true), pad("n", 6), pad("min", 7), pad("p50", 7), pad("p90", 7), pad("p99", 7), pad("max", 7), pad("mean", 8), pad("stddev", 8)];
  out.push(head.join(" ") + "   (µs)");
  for (const m of r.modes) {
    const s = m.stats;
    const name = pad(`${m.mode}  ${m.label}`, 22, true);
    if (s === null) {
      out.push(`${name} ${pad("0", 6)}   no samples`);
      continue;
    }
    out.push(
      [name, pad(String(s.n), 6), pad(fmt(s.min), 7), pad(fmt(s.p50), 7), pad(fmt(s.p90), 7), pad(fmt(s.p99), 7), pad(fmt(s.max), 7), pad(s.mean.toFixed(2), 8), pad(s.stddev.toFixed(2), 8)].join(" ") +
        (m.lost > 0 ? `   (${m.lost} lost)` : ""),
    );
  }
  const parts: string[] = [];
  for (const x of ["b", "c", "d"] as const) {
    const q = r.ratios[x];
    if (q) parts.push(`(${x})/(a) p50 ${fmtRatio(q.p50)} p99 ${fmtRatio(q.p99)}`);
  }
  if (parts.length > 0) out.push(`overhead against the raw callback: ${parts.join("   ")}`);
  return out;
}

const EIGHTHS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

/** A bar of `frac` (0..1) of `width` cells, in eighths. */
export function bar(frac: number, width: number): string {
  const cells = Math.max(0, Math.min(1, frac)) * width;
  let full = Math.floor(cells);
  let rest = Math.round((cells - full) * 8);
  if (rest === 8) {
    full++;
    rest = 0;
  }
  return "█".repeat(full) + (EIGHTHS[rest] as string);
}

/** A round bin width: 1, 2, 5 × 10^k, at least `min`. */
export function niceStep(span: number, bins: number, min = 0): number {
  const raw = Math.max(span / bins, min, 1e-9);
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const k of [1, 2, 5, 10]) if (k * p >= raw) return Math.max(k * p, min);
  return 10 * p;
}

export interface Bin {
  lo: number;
  hi: number;
  count: number;
}

/** Histogram of `values` over [lo, hi] with a round bin width (~`bins` bins); integer data gets integer widths. */
export function histogram(values: readonly number[], bins = 16, lo?: number, hi?: number, fixedStep?: number): Bin[] {
  if (values.length === 0) return [];
  let mn = Infinity;
  let mx = -Infinity;
  let ints = true;
  for (const v of values) {
    if (v < mn) mn = v;
    if (v > mx) mx = v;
    if (!Number.isInteger(v)) ints = false;
  }
  const a = lo ?? mn;
  const b = hi ?? mx;
  const step = fixedStep ?? niceStep(b - a + (ints ? 1 : 0), bins, ints ? 1 : 0);
  const start = Math.floor(a / step) * step;
  const count = Math.max(1, Math.floor((b - start) / step) + 1);
  const out: Bin[] = [];
  for (let i = 0; i < count; i++) out.push({ lo: start + i * step, hi: start + (i + 1) * step, count: 0 });
  for (const v of values) {
    const i = Math.min(count - 1, Math.max(0, Math.floor((v - start) / step)));
    (out[i] as Bin).count++;
  }
  return out;
}

/** Per-mode terminal histograms. */
export function renderHistograms(r: Report, width = 40): string {
  const out: string[] = [];
  for (const m of r.modes) {
    const values = r.samples[m.mode] ?? [];
    if (values.length === 0) continue;
    out.push(`${m.mode}  ${m.label} (µs)`);
    const bins = histogram(values);
    const peak = Math.max(...bins.map((b) => b.count));
    const step = bins.length > 0 ? (bins[0] as Bin).hi - (bins[0] as Bin).lo : 1;
    const label = (b: Bin) => (step === 1 && Number.isInteger(b.lo) ? String(b.lo) : `${fmtNum(b.lo)}-${fmtNum(b.hi)}`);
    const lw = Math.max(...bins.map((b) => label(b).length));
    for (const b of bins) {
      out.push(`  ${pad(label(b), lw)} │${bar(b.count / peak, width).padEnd(width + 1)} ${b.count}`);
    }
  }
  return out.join("\n") + "\n";
}

function fmtNum(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Math.round(x * 1000) / 1000);
}
