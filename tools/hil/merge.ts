/**
 * Several IOPL1 recordings read as one run. A board that can only measure
 * some modes per firmware build (the Pico: docs/hil.md) leaves one recording
 * per mode; each is parsed on its own (its own problems, line numbers and
 * completeness) and then merged here. The merge refuses what would put two
 * different measurements side by side as if they were one — a mode recorded
 * twice, recordings of different boards or clocks — and otherwise yields the
 * run a single stream carrying every mode would have given, so the report's
 * ratios against mode a come out as for one stream.
 */
import { MODE_NAMES, type ModeName } from "../../firmware/irq-latency/probe.js";
import type { HilEnd, HilHeader, HilRun } from "./format.js";

export interface HilPart {
  /** How the user named the recording: it prefixes the recording's problems. */
  file: string;
  run: HilRun;
}

/** Recordings that cannot be one run: a usage error, not a damaged stream. */
export class HilMergeError extends Error {
  override name = "HilMergeError";
}

/** The modes a recording holds: its header's, or without one every mode it has samples or lost edges of. */
export function partModes(run: HilRun): ModeName[] {
  if (run.header !== null) return run.header.modes;
  return MODE_NAMES.filter((m) => run.samples[m].length > 0 || run.lost[m] > 0);
}

export function mergeRuns(parts: readonly HilPart[]): HilRun {
  if (parts.length === 0) throw new RangeError("mergeRuns needs at least one recording");
  const owner = new Map<ModeName, HilPart>();
  for (const part of parts) {
    for (const m of partModes(part.run)) {
      const first = owner.get(m);
      if (first !== undefined) {
        throw new HilMergeError(`mode ${m} is in both ${first.file} and ${part.file}: merge one recording per mode`);
      }
      owner.set(m, part);
    }
  }
  const headed = parts.filter((p): p is HilPart & { run: { header: HilHeader } } => p.run.header !== null);
  sameEverywhere(headed, "board", (h) => h.board);
  sameEverywhere(headed, "clock", (h) => h.clock);

  const modes = MODE_NAMES.filter((m) => owner.has(m));
  const pick = <T>(field: (r: HilRun) => Record<ModeName, T>, none: () => T): Record<ModeName, T> => {
    const at = (m: ModeName): T => {
      const p = owner.get(m);
      return p ? field(p.run)[m] : none();
    };
    return { a: at("a"), b: at("b"), c: at("c"), d: at("d") };
  };
  const announcedPerMode: Partial<Record<ModeName, number>> = {};
  for (const p of headed) for (const m of p.run.header.modes) announcedPerMode[m] = p.run.header.n;

  return {
    header: mergeHeaders(headed.map((p) => p.run.header), modes),
    end: mergeEnds(parts.map((p) => p.run.end)),
    samples: pick((r) => r.samples, () => []),
    edges: pick((r) => r.edges, () => []),
    ground: pick((r) => r.ground, () => []),
    stampError: pick((r) => r.stampError, () => []),
    lost: pick((r) => r.lost, () => 0),
    timerLine: parts.find((p) => p.run.timerLine !== null)?.run.timerLine ?? null,
    lines: sum(parts.map((p) => p.run.lines)),
    unknownLines: sum(parts.map((p) => p.run.unknownLines)),
    // line numbers mean nothing without their file: each part keeps its own
    unknownAt: [],
    problems: parts.flatMap((p) => p.run.problems.map((q) => ({ ...q, file: p.file, message: `${p.file}: ${q.message}` }))),
    complete: parts.every((p) => p.run.complete),
    announcedPerMode,
  };
}

function sameEverywhere(parts: readonly { file: string; run: { header: HilHeader } }[], what: "board" | "clock", get: (h: HilHeader) => string): void {
  const files = new Map<string, string[]>();
  for (const p of parts) {
    const v = get(p.run.header);
    files.set(v, [...(files.get(v) ?? []), p.file]);
  }
  if (files.size > 1) {
    const list = [...files].map(([v, fs]) => `${what}=${v} in ${fs.join(", ")}`).join("; ");
    throw new HilMergeError(`the recordings name different ${what}s (${list}): merge only recordings of one board, timed by one clock`);
  }
}

/** One header for the merged run, or null when no recording had one (board unknown, as for one stream). */
function mergeHeaders(headers: readonly HilHeader[], modes: ModeName[]): HilHeader | null {
  const first = headers[0];
  if (first === undefined) return null;
  const ns = headers.map((h) => h.n);
  // n is one number: when the recordings disagree it is the largest, and announcedPerMode has each
  const n = Math.max(...ns);
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(first.fields)) if (headers.every((h) => h.fields[k] === v)) fields[k] = v;
  fields.modes = modes.join(",");
  if (ns.some((x) => x !== n)) delete fields.n;
  return { line: 0, board: first.board, n, modes, clock: first.clock, fields };
}

/** The end lines added up, or null when a recording has none (its run is truncated, and so is the merge). */
function mergeEnds(ends: readonly (HilEnd | null)[]): HilEnd | null {
  if (ends.some((e) => e === null)) return null;
  const all = ends as readonly HilEnd[];
  const perMode: HilEnd["perMode"] = {};
  for (const e of all) Object.assign(perMode, e.perMode);
  return {
    line: 0,
    samples: sum(all.map((e) => e.samples)),
    perMode,
    lost: sum(all.map((e) => e.lost)),
    stray: sum(all.map((e) => e.stray)),
    sum: sum(all.map((e) => e.sum)),
  };
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
