/**
 * Reader of the IOPL1 line format (docs/hil-format.md) streamed by the
 * interrupt-latency probe. Incremental (`feed` one line at a time, as a
 * serial port delivers them) and defensive: every line is checked (version,
 * checksum, field count, numbers); what is not IOPL1 is skipped and counted;
 * a damaged line is dropped and reported with its line number; a different
 * format version is a hard error (HilVersionError); completeness is checked
 * against the header (samples announced) and the end line (counts, sum).
 * It never guesses: a statistic is computed only from lines that checked out,
 * and the run says whether it is complete.
 */
import { ioplChecksum, MODE_NAMES, type ModeName } from "../../firmware/irq-latency/probe.js";

export const FORMAT_VERSION = 1;
const SAMPLE_SYNTAX = "IOPL1 S <mode> <seq> <latency_us> <edge_us> *XX";
const GROUND_SYNTAX = "IOPL1 G <mode> <seq> <edge_ns> <latency_ns> *XX";
const STAMP_SYNTAX = "IOPL1 I <mode> <seq> <timestamp_ns> *XX";

export class HilVersionError extends Error {
  constructor(
    readonly line: number,
    readonly version: string,
  ) {
    super(
      `line ${line}: the stream is in format IOPL${version}, and this ioport reads IOPL${FORMAT_VERSION} only; ` +
        `flash the probe firmware built by this version of ioport, or use the ioport that matches the firmware`,
    );
    this.name = "HilVersionError";
  }
}

export interface HilHeader {
  line: number;
  board: string;
  /** Samples announced per mode. */
  n: number;
  modes: ModeName[];
  clock: string;
  /** Every key=value of the header, as text. */
  fields: Record<string, string>;
}

export interface HilEnd {
  line: number;
  samples: number;
  perMode: Partial<Record<ModeName, number>>;
  lost: number;
  stray: number;
  sum: number;
}

export type ProblemKind =
  | "corrupt" // checksum mismatch or missing: damaged or cut line
  | "malformed" // checksum fine but fields wrong
  | "spliced" // other output glued before an IOPL1 record
  | "header" // missing, invalid or repeated header
  | "duplicate" // a sample number seen twice
  | "missing" // sample numbers never seen
  | "lost" // the probe reported an edge never delivered
  | "truncated" // no end line, or fewer samples than announced
  | "mismatch"; // end line disagrees with what arrived

export interface HilProblem {
  kind: ProblemKind;
  /** 1-based line number, 0 for the stream as a whole. */
  line: number;
  message: string;
  /** The recording it came from, when several were merged (merge.ts); the message then starts with it too. */
  file?: string;
}

/**
 * The probe's timer-line check (a T line): a periodic line's IrqEvent
 * timestamps against their due times, creation + k·period, as the firmware
 * measured them (100 ns histogram buckets: a quantile is its bucket's upper
 * edge).
 */
export interface HilTimerLine {
  periods: number;
  /** Interrupts the completions counted (= periods when none was lost or invented). */
  counted: number;
  /** Completions (a late callback may take two periods in one). */
  batches: number;
  periodNs: number;
  errP50Ns: number;
  errP99Ns: number;
  errMinNs: number;
  errMaxNs: number;
  /** The last completion's error: a drift would show here. */
  lastErrNs: number;
}

export interface HilRun {
  header: HilHeader | null;
  end: HilEnd | null;
  /** Latencies (µs) per mode, in arrival order. */
  samples: Record<ModeName, number[]>;
  /** Edge timestamps (µs) per mode, parallel to `samples`. */
  edges: Record<ModeName, number[]>;
  /**
   * Ground truth (G lines, written by `ioport emu --probe`): edge → user code
   * in µs, from the emulator's own time of the edge, per mode. Empty for a
   * board's recording.
   */
  ground: Record<ModeName, number[]>;
  /**
   * Where both an `I` line (the IrqEvent's timestamp, from the firmware) and
   * a `G` line (the emulator's edge time) exist for a sample: the timestamp
   * less the edge, µs, per mode.
   */
  stampError: Record<ModeName, number[]>;
  /** Lost edges reported by the probe (X lines) per mode. */
  lost: Record<ModeName, number>;
  /** The timer-line check (T line: firmware/irq-latency/timer-check.ts), if the recording has one. */
  timerLine: HilTimerLine | null;
  /** Lines read, lines that were not IOPL records at all, and the first few of their numbers. */
  lines: number;
  unknownLines: number;
  unknownAt: number[];
  problems: HilProblem[];
  /** Header seen, end line seen and consistent, every announced sample present. */
  complete: boolean;
  /** Set by a merge (merge.ts): samples announced per mode by each recording's header, which may differ. */
  announcedPerMode?: Partial<Record<ModeName, number>>;
}

function emptyModes<T>(make: () => T): Record<ModeName, T> {
  return { a: make(), b: make(), c: make(), d: make() };
}

const NUM = /^(0|[1-9]\d*)(\.\d+)?$/;
const INT = /^(0|[1-9]\d*)$/;

/** Incremental parser: `feed` lines, then `finish()`. */
export class HilParser {
  private lineNo = 0;
  private run = this.fresh();
  private seen = emptyModes(() => new Set<number>());
  /** Per sample: the emulator's edge time (G) and the IrqEvent's timestamp (I), ns, paired as they arrive. */
  private edgeNs = emptyModes(() => new Map<number, number>());
  private stampNs = emptyModes(() => new Map<number, number>());
  private unknown = 0;
  private unknownAt: number[] = [];
  private ended = false;
  /** Problems from runs that were abandoned (a new header restarted the stream). */
  private carried: HilProblem[] = [];

  private fresh(): HilRun {
    return {
      header: null,
      end: null,
      samples: emptyModes(() => [] as number[]),
      edges: emptyModes(() => [] as number[]),
      ground: emptyModes(() => [] as number[]),
      stampError: emptyModes(() => [] as number[]),
      lost: emptyModes(() => 0),
      timerLine: null,
      lines: 0,
      unknownLines: 0,
      unknownAt: [],
      problems: [],
      complete: false,
    };
  }

  /** Whether an end line has been read for the current run. */
  get done(): boolean {
    return this.ended;
  }

  /** Samples received so far in the current run, per mode. */
  counts(): Record<ModeName, number> {
    const s = this.run.samples;
    return { a: s.a.length, b: s.b.length, c: s.c.length, d: s.d.length };
  }

  get header(): HilHeader | null {
    return this.run.header;
  }

  private problem(kind: ProblemKind, line: number, message: string): void {
    this.run.problems.push({ kind, line, message });
  }

  /** Reads one line (without its newline; a trailing CR is ignored). Throws HilVersionError on another format version. */
  feed(raw: string): void {
    const n = ++this.lineNo;
    let line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    const at = line.search(/IOPL/);
    if (at < 0) {
      this.unknown++;
      if (this.unknownAt.length < 5) this.unknownAt.push(n);
      return;
    }
    const ver = /^IOPL(\d*)/.exec(line.slice(at));
    const version = ver ? (ver[1] as string) : "";
    if (version !== String(FORMAT_VERSION)) {
      if (version === "") {
        this.problem("malformed", n, `line ${n}: "IOPL" not followed by a version number; expected "IOPL${FORMAT_VERSION} ..."; line skipped`);
        return;
      }
      throw new HilVersionError(n, version);
    }
    // the checksum covers the record from its IOPL1 on
    const rec = line.slice(at);
    const m = /^(.*) \*([0-9A-F]{2})$/.exec(rec);
    if (m === null) {
      this.problem(
        "corrupt",
        n,
        `line ${n}: IOPL1 record without its " *XX" checksum at the end (cut short, or two lines run together); line skipped: ${clip(rec)}`,
      );
      return;
    }
    const body = m[1] as string;
    const want = ioplChecksum(body);
    if (want !== m[2]) {
      this.problem("corrupt", n, `line ${n}: checksum ${m[2]} does not match the line (computed ${want}): damaged in transit; line skipped: ${clip(rec)}`);
      return;
    }
    if (at > 0) {
      this.problem("spliced", n, `line ${n}: ${at} characters of other output before the IOPL1 record (its checksum is valid, so it is kept)`);
    }
    line = body;
    const f = line.split(" ");
    switch (f[1]) {
      case "H":
        this.onHeader(n, f.slice(2));
        return;
      case "S":
        this.onSample(n, f.slice(2));
        return;
      case "X":
        this.onLost(n, f.slice(2));
        return;
      case "G":
        this.onGround(n, f.slice(2));
        return;
      case "I":
        this.onStamp(n, f.slice(2));
        return;
      case "E":
        this.onEnd(n, f.slice(2));
        return;
      case "T":
        this.onTimer(n, f.slice(2));
        return;
      default:
        this.problem("malformed", n, `line ${n}: unknown IOPL1 record type "${f[1] ?? ""}" (expected H, S, X, G, I, T or E); line skipped`);
    }
  }

  private onHeader(n: number, f: string[]): void {
    const fields: Record<string, string> = {};
    for (const kv of f) {
      const eq = kv.indexOf("=");
      if (eq > 0) fields[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    const bad: string[] = [];
    const board = fields.board ?? "";
    if (board === "") bad.push("board=<name>");
    const nText = fields.n ?? "";
    const count = INT.test(nText) ? Number(nText) : -1;
    if (count < 1) bad.push(`n=<samples per mode> (a positive integer; got "${nText}")`);
    const modes = (fields.modes ?? "").split(",").filter((x) => x !== "");
    const modesOk = modes.length > 0 && modes.every((x) => (MODE_NAMES as readonly string[]).includes(x)) && new Set(modes).size === modes.length;
    if (!modesOk) bad.push(`modes=<a,b,c,d> (distinct modes among a, b, c, d; got "${fields.modes ?? ""}")`);
    const clock = fields.clock ?? "";
    if (clock === "") bad.push("clock=<source>");
    if (bad.length > 0) {
      this.problem("header", n, `line ${n}: invalid header, expected ${bad.join(", ")}; header ignored`);
      return;
    }
    const prev = this.run;
    if (prev.header !== null || this.ended || this.total() > 0) {
      const kept = this.total();
      const from = prev.header ? `the run of line ${prev.header.line}` : "the samples before it";
      const ended = this.ended ? "which had ended" : "which had not ended (board reset?)";
      this.carried.push(...prev.problems, {
        kind: "header",
        line: n,
        message: `line ${n}: a new run starts; ${from}, ${ended}, is dropped with its ${kept} samples (only the last run is analysed)`,
      });
      this.run = this.fresh();
      this.seen = emptyModes(() => new Set<number>());
      this.edgeNs = emptyModes(() => new Map<number, number>());
      this.stampNs = emptyModes(() => new Map<number, number>());
      this.ended = false;
    }
    this.run.header = { line: n, board, n: count, modes: modes as ModeName[], clock, fields };
    if (this.nextTimer !== null) {
      this.run.timerLine = this.nextTimer;
      this.nextTimer = null;
    }
  }

  private total(): number {
    const s = this.run.samples;
    return MODE_NAMES.reduce((acc, m) => acc + s[m].length, 0);
  }

  private mode(n: number, text: string | undefined, what: string): ModeName | null {
    const h = this.run.header;
    const allowed: readonly string[] = h ? h.modes : MODE_NAMES;
    if (text === undefined || !allowed.includes(text)) {
      this.problem("malformed", n, `line ${n}: ${what} mode "${text ?? ""}" is not one of ${allowed.join(", ")}${h ? ` (header, line ${h.line})` : ""}; line skipped`);
      return null;
    }
    return text as ModeName;
  }

  private onSample(n: number, f: string[]): void {
    if (f.length !== 4) {
      this.problem("malformed", n, `line ${n}: a sample has 4 fields, this one ${f.length}; expected "${SAMPLE_SYNTAX}"; line skipped`);
      return;
    }
    if (this.ended) {
      this.problem("malformed", n, `line ${n}: a sample after the end line; line skipped`);
      return;
    }
    const m = this.mode(n, f[0], "sample");
    if (m === null) return;
    const [, seqT, latT, edgeT] = f as [string, string, string, string];
    const bad: string[] = [];
    if (!INT.test(seqT)) bad.push(`seq "${seqT}" is not a non-negative integer`);
    if (!NUM.test(latT)) bad.push(`latency_us "${latT}" is not a non-negative number`);
    if (!NUM.test(edgeT)) bad.push(`edge_us "${edgeT}" is not a non-negative number`);
    if (bad.length > 0) {
      this.problem("malformed", n, `line ${n}: ${bad.join("; ")}; expected "${SAMPLE_SYNTAX}"; line skipped`);
      return;
    }
    const seq = Number(seqT);
    const h = this.run.header;
    if (h !== null && seq >= h.n) {
      this.problem("malformed", n, `line ${n}: sample ${m} ${seq} is beyond the ${h.n} samples the header (line ${h.line}) announced; line skipped`);
      return;
    }
    const seen = this.seen[m];
    if (seen.has(seq)) {
      this.problem("duplicate", n, `line ${n}: sample ${m} ${seq} seen before; the first one is kept`);
      return;
    }
    seen.add(seq);
    this.run.samples[m].push(Number(latT));
    this.run.edges[m].push(Number(edgeT));
  }

  /**
   * The common front of the annotation lines (G, I): `<mode> <seq>` and
   * integers, for a sample read before it. Returns the mode and the numbers,
   * or null (the problem named, the line skipped).
   */
  private annotation(n: number, f: string[], fields: number, syntax: string, what: string): { m: ModeName; seq: number; v: number[] } | null {
    if (f.length !== fields || !f.slice(1).every((x) => INT.test(x))) {
      this.problem("malformed", n, `line ${n}: expected "${syntax}"; line skipped`);
      return null;
    }
    const m = this.mode(n, f[0], what);
    if (m === null) return null;
    const seq = Number(f[1]);
    if (!this.seen[m].has(seq)) {
      this.problem("malformed", n, `line ${n}: ${what} for sample ${m} ${seq}, which was not read before it; line skipped`);
      return null;
    }
    return { m, seq, v: f.slice(2).map(Number) };
  }

  /** `G <mode> <seq> <edge_ns> <latency_ns>`: the emulator's time of the edge of a sample read before it, and edge → user code from it. */
  private onGround(n: number, f: string[]): void {
    const a = this.annotation(n, f, 4, GROUND_SYNTAX, "ground truth");
    if (a === null) return;
    this.run.ground[a.m].push((a.v[1] as number) / 1000);
    this.edgeNs[a.m].set(a.seq, a.v[0] as number);
    this.pairStamp(a.m, a.seq);
  }

  /** `I <mode> <seq> <timestamp_ns>`: the IrqEvent's timestamp of a sample read before it. */
  private onTimer(n: number, f: string[]): void {
    const v: Record<string, number> = {};
    for (const kv of f) {
      const eq = kv.indexOf("=");
      if (eq > 0) v[kv.slice(0, eq)] = Number(kv.slice(eq + 1));
    }
    const keys = ["periods", "counted", "batches", "period_ns", "err_p50_ns", "err_p99_ns", "err_min_ns", "err_max_ns", "last_err_ns"] as const;
    if (keys.some((k) => !Number.isFinite(v[k]))) {
      this.problem("malformed", n, `line ${n}: a timer-line record needs ${keys.map((k) => `${k}=<n>`).join(" ")}; line skipped`);
      return;
    }
    const g = (k: (typeof keys)[number]): number => v[k] as number;
    const t: HilTimerLine = {
      periods: g("periods"),
      counted: g("counted"),
      batches: g("batches"),
      periodNs: g("period_ns"),
      errP50Ns: g("err_p50_ns"),
      errP99Ns: g("err_p99_ns"),
      errMinNs: g("err_min_ns"),
      errMaxNs: g("err_max_ns"),
      lastErrNs: g("last_err_ns"),
    };
    // the probe checks the timer line before a run's header: after an end
    // line it belongs to the run that starts next
    if (this.ended || this.run.header === null) this.nextTimer = t;
    else this.run.timerLine = t;
  }

  /** A T line read before its run's header. */
  private nextTimer: HilTimerLine | null = null;

  private onStamp(n: number, f: string[]): void {
    const a = this.annotation(n, f, 3, STAMP_SYNTAX, "a timestamp");
    if (a === null) return;
    this.stampNs[a.m].set(a.seq, a.v[0] as number);
    this.pairStamp(a.m, a.seq);
  }

  private pairStamp(m: ModeName, seq: number): void {
    const edge = this.edgeNs[m].get(seq);
    const stamp = this.stampNs[m].get(seq);
    if (edge !== undefined && stamp !== undefined) this.run.stampError[m].push((stamp - edge) / 1000);
  }

  private onLost(n: number, f: string[]): void {
    const m = this.mode(n, f[0], "lost-edge");
    if (m === null) return;
    const seq = f[1] ?? "";
    if (!INT.test(seq)) {
      this.problem("malformed", n, `line ${n}: lost-edge seq "${seq}" is not a non-negative integer; expected "IOPL1 X <mode> <seq> <reason> *XX"; line skipped`);
      return;
    }
    this.seen[m].add(Number(seq));
    this.run.lost[m]++;
    this.problem("lost", n, `line ${n}: the probe saw no delivery of edge ${m} ${seq} (${f.slice(2).join(" ") || "no reason given"}): not counted in the statistics`);
  }

  private onEnd(n: number, f: string[]): void {
    const fields: Record<string, string> = {};
    for (const kv of f) {
      const eq = kv.indexOf("=");
      if (eq > 0) fields[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    const num = (k: string): number => (fields[k] !== undefined && NUM.test(fields[k] as string) ? Number(fields[k]) : NaN);
    const end: HilEnd = { line: n, samples: num("samples"), perMode: {}, lost: num("lost"), stray: num("stray"), sum: num("sum") };
    for (const m of MODE_NAMES) if (fields[m] !== undefined) end.perMode[m] = num(m);
    if (![end.samples, end.lost, end.sum].every(Number.isFinite)) {
      this.problem("malformed", n, `line ${n}: end line needs samples=<n> lost=<n> sum=<µs> (numbers); expected "IOPL1 E samples=.. a=.. b=.. c=.. d=.. lost=.. stray=.. sum=.. *XX"`);
    }
    this.run.end = end;
    this.ended = true;
  }

  /** Completes the checks and returns the run (the last one, if the stream restarted). */
  finish(): HilRun {
    const run = this.run;
    run.lines = this.lineNo;
    run.unknownLines = this.unknown;
    run.unknownAt = this.unknownAt;
    run.problems = [...this.carried, ...run.problems];
    const h = run.header;
    const modes: readonly ModeName[] = h ? h.modes : MODE_NAMES.filter((m) => run.samples[m].length > 0);
    let complete = h !== null && run.end !== null;
    if (h === null) {
      const first = run.problems.find((p) => p.kind === "header");
      run.problems.push({
        kind: "header",
        line: 0,
        message:
          `no valid header line ("IOPL1 H board=<name> n=<N> modes=a,b,c,d clock=<source> *XX") before the samples` +
          (first ? "" : "; the start of the stream was probably missed (connect before resetting the board)") +
          ": the number of samples expected is unknown",
        });
    }
    for (const m of modes) {
      const got = run.samples[m].length;
      if (h !== null) {
        const missing: number[] = [];
        for (let s = 0; s < h.n; s++) if (!this.seen[m].has(s)) missing.push(s);
        if (missing.length > 0) {
          complete = false;
          run.problems.push({
            kind: run.end === null ? "truncated" : "missing",
            line: 0,
            message: `mode ${m}: ${got} of ${h.n} samples announced by the header (line ${h.line})${run.lost[m] ? ` (+${run.lost[m]} reported lost)` : ""}; missing sample numbers ${ranges(missing)}`,
          });
        }
      }
    }
    const end = run.end;
    if (end === null) {
      complete = false;
      run.problems.push({
        kind: "truncated",
        line: 0,
        message: `the stream ends at line ${this.lineNo} without the end line "IOPL1 E ...": truncated; the statistics cover the ${this.total()} samples received`,
      });
    } else {
      const got = this.total();
      const sum = MODE_NAMES.reduce((acc, m) => acc + run.samples[m].reduce((x, y) => x + y, 0), 0);
      const say: string[] = [];
      if (end.samples !== got) say.push(`samples=${end.samples} but ${got} arrived intact`);
      for (const m of MODE_NAMES) {
        const want = end.perMode[m];
        if (want !== undefined && want !== run.samples[m].length) say.push(`${m}=${want} but ${run.samples[m].length} arrived`);
      }
      if (Number.isFinite(end.sum) && Math.abs(end.sum - sum) > 1e-6 * Math.max(1, Math.abs(sum))) say.push(`sum=${end.sum} but the samples received add up to ${round(sum)}`);
      if (say.length > 0) {
        complete = false;
        run.problems.push({ kind: "mismatch", line: end.line, message: `line ${end.line}: the end line disagrees with what arrived: ${say.join("; ")}` });
      }
      if (end.stray > 0) {
        run.problems.push({ kind: "mismatch", line: end.line, message: `line ${end.line}: the probe saw ${end.stray} unexpected edge(s) (bounce, or a noisy jumper)` });
      }
    }
    if (run.problems.some((p) => p.kind === "corrupt" || p.kind === "duplicate" || p.kind === "lost")) complete = false;
    run.complete = complete;
    return run;
  }
}

/** Parses a whole text (a recorded file). */
export function parseHil(text: string): HilRun {
  const p = new HilParser();
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  for (const l of lines) p.feed(l);
  return p.finish();
}

/** "3, 7-9, 12" for sorted integers; long lists are cut. */
export function ranges(xs: number[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < xs.length && out.length < 8) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === (xs[j] as number) + 1) j++;
    out.push(i === j ? String(xs[i]) : `${xs[i]}-${xs[j]}`);
    i = j + 1;
  }
  return out.join(", ") + (i < xs.length ? ", ..." : "");
}

function clip(s: string): string {
  return JSON.stringify(s.length > 60 ? s.slice(0, 60) + "…" : s);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
