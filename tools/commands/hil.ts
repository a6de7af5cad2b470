/**
 * `ioport hil`: hardware-in-the-loop interrupt latency. Reads the IOPL1
 * stream of the irq-latency probe (firmware/irq-latency) from a serial port,
 * recorded files (several are merged into one run, one recording per mode:
 * tools/hil/merge.ts) or standard input — or runs the same probe in the
 * simulator (`--sim`) — and reports per-mode statistics, the overheads
 * against the raw ECMA-419 callback, terminal histograms, JSON, SVG and HTML.
 *
 * Exit codes (tools/lib/command.ts): 0 a complete, clean run; 1 statistics shown but the stream was
 * incomplete or damaged (or had no samples at all); 2 usage errors, an
 * unreadable source, a stream in another format version, or recordings that
 * cannot be merged (a mode twice, different boards or clocks).
 */
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { MODE_NAMES, type ModeName } from "../../firmware/irq-latency/probe.js";
import { boardNames } from "../../host-sim/boards.js";
import { UsageError } from "../lib/command.js";
import { checkOutput, writeOutput } from "../lib/output.js";
import { HilParser, HilVersionError, type HilRun } from "../hil/format.js";
import { HilMergeError, mergeRuns, type HilPart } from "../hil/merge.js";
import { buildReport, renderHistograms, renderTable, bar } from "../hil/report.js";
import { NoModelError, runSimProbe } from "../hil/sim.js";
import { renderHtml, renderSvg } from "../hil/svg.js";

/** At most this many samples per mode in the simulator: a few seconds of wall time each. */
const MAX_SIM_SAMPLES = 100_000;

export const usage = `usage: ioport hil (--sim | --port PATH | --file FILE... | -) [options]

sources (one):
  --sim                 run the probe in the simulator on the board's latency model
  --port PATH           read a board's serial console (e.g. /dev/ttyACM0)
  --file FILE           read a recorded stream (FILE "-" = standard input); give
                        --file again to merge recordings of one board, one per mode
                        (e.g. the Pico's one-mode builds) into one report
  -                     read standard input

options:
  --board NAME          simulated board (--sim): one with a measured cost model (pico; default)
  --samples N           samples per mode (--sim; 1 to ${MAX_SIM_SAMPLES}, default 1000)
  --seed N              PRNG seed (--sim; default 1)
  --modes a,b,c,d       modes to run (--sim; default ${MODE_NAMES.join(",")})
  --baud N              serial baud rate (--port; default 115200)
  --timeout S           give up after S seconds without a line (--port, stdin; default: never)
  --record FILE         also save the raw lines read (one source only)
  --json FILE           write the statistics, problems and samples as JSON
  --svg FILE            write the latency plot (histograms and CDFs) as SVG
  --html FILE           write the table and the plot as one HTML page
  --title TEXT          the plot's title (default: board and clock; say "emulated" when it is)
  --no-histogram        do not print the terminal histograms

The stream format is docs/hil-format.md; the method is docs/hil.md.
exit: 0 complete run, 1 incomplete or damaged stream, 2 usage error, wrong format version
      or recordings that cannot be merged (a mode twice, different boards or clocks)
`;

interface Options {
  sim: boolean;
  port: string | null;
  /** Recordings in the order given; "-" is standard input. */
  files: string[];
  board: string;
  samples: number;
  seed: number;
  modes: ModeName[] | null;
  baud: number;
  timeoutS: number;
  record: string | null;
  json: string | null;
  svg: string | null;
  html: string | null;
  title: string | null;
  histogram: boolean;
}

function parseArgs(args: string[]): Options {
  const o: Options = {
    sim: false,
    port: null,
    files: [],
    board: "pico",
    samples: 1000,
    seed: 1,
    modes: null,
    baud: 115200,
    timeoutS: 0,
    record: null,
    json: null,
    svg: null,
    html: null,
    title: null,
    histogram: true,
  };
  let boardGiven = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const value = (): string => {
      const v = args[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    const int = (min: number, max = Number.MAX_SAFE_INTEGER): number => {
      const v = value();
      if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
        throw new UsageError(`${a} needs an integer ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`}, got "${v}"`);
      }
      return Number(v);
    };
    switch (a) {
      case "--sim":
        o.sim = true;
        break;
      case "--port":
        o.port = value();
        break;
      case "--file":
        o.files.push(value());
        break;
      case "-":
        o.files.push("-");
        break;
      case "--board":
        o.board = value();
        boardGiven = true;
        break;
      case "--samples":
        o.samples = int(1, MAX_SIM_SAMPLES);
        break;
      case "--seed":
        o.seed = int(0);
        break;
      case "--modes": {
        const ms = value().split(",");
        if (ms.length === 0 || !ms.every((m) => (MODE_NAMES as readonly string[]).includes(m)) || new Set(ms).size !== ms.length) {
          throw new UsageError(`--modes takes distinct modes among ${MODE_NAMES.join(", ")} separated by commas, got "${ms.join(",")}"`);
        }
        o.modes = ms as ModeName[];
        break;
      }
      case "--baud":
        o.baud = int(50);
        break;
      case "--timeout":
        o.timeoutS = int(0);
        break;
      case "--record":
        o.record = value();
        break;
      case "--json":
        o.json = value();
        break;
      case "--svg":
        o.svg = value();
        break;
      case "--title":
        o.title = value();
        break;
      case "--html":
        o.html = value();
        break;
      case "--no-histogram":
        o.histogram = false;
        break;
      default:
        throw new UsageError(`unknown option "${a}"`);
    }
  }
  const sources = [o.sim, o.port !== null, o.files.length > 0].filter(Boolean).length;
  if (sources !== 1) throw new UsageError(sources === 0 ? "give a source: --sim, --port PATH, --file FILE or -" : "give only one source: --sim, --port, --file or -");
  if (o.files.length > 1 && o.files.includes("-")) {
    throw new UsageError("standard input (-) cannot be merged with other files: save it to a file and give that with --file");
  }
  if (o.files.length > 1 && o.record !== null) {
    throw new UsageError(
      "--record takes one source, not several --file: the recordings saved one after the other would not read back as one run (each new header starts a new run and drops the one before it), and the files given already are the recordings",
    );
  }
  if (!o.sim && (boardGiven || o.modes !== null)) throw new UsageError("--board and --modes are for --sim: a board's stream names its own board and modes");
  if (o.sim && !boardNames().includes(o.board)) throw new UsageError(`unknown board "${o.board}"; known boards: ${boardNames().join(", ")}`);
  for (const [flag, path] of [["--record", o.record], ["--json", o.json], ["--svg", o.svg], ["--html", o.html]] as const) {
    if (path !== null) checkOutput(flag, path);
  }
  return o;
}

/** Progress on stderr: a redrawn line on a terminal, a few plain lines otherwise. */
class Progress {
  private readonly tty = process.stderr.isTTY === true;
  private lastDraw = 0;
  private lastPct = -1;
  private drawn = false;

  update(parser: HilParser): void {
    const h = parser.header;
    const c = parser.counts();
    const got = c.a + c.b + c.c + c.d;
    const modes = h ? h.modes : MODE_NAMES;
    const total = h ? h.n * h.modes.length : 0;
    const detail = modes.map((m) => `${m} ${c[m]}${h ? `/${h.n}` : ""}`).join("  ");
    if (this.tty) {
      const now = Date.now();
      if (now - this.lastDraw < 50 && got < total) return;
      this.lastDraw = now;
      const frac = total > 0 ? got / total : 0;
      const line = total > 0 ? `[${bar(frac, 30).padEnd(30, "·")}] ${(frac * 100).toFixed(0).padStart(3)}%  ${detail}` : `${got} samples  ${detail}`;
      process.stderr.write(`\r\x1b[2K${line}`);
      this.drawn = true;
      return;
    }
    if (total === 0) return;
    const pct = Math.floor((got / total) * 10) * 10;
    if (pct > this.lastPct) {
      this.lastPct = pct;
      process.stderr.write(`progress ${pct}%  ${detail}\n`);
    }
  }

  end(): void {
    if (this.tty && this.drawn) process.stderr.write("\r\x1b[2K");
  }
}

/** Writes an output (its path checked before the run) and says so on stderr (stdout carries the report). */
function writeOut(what: string, path: string, text: string): void {
  writeOutput(path, text);
  process.stderr.write(`ioport hil: wrote ${what} ${path}\n`);
}

/** Feeds lines from a readable stream until EOF, the end line (`stopAtEnd`), or `timeoutS` of silence. */
async function feedStream(
  input: NodeJS.ReadableStream,
  parser: HilParser,
  progress: Progress,
  record: string[] | null,
  stopAtEnd: boolean,
  timeoutS: number,
): Promise<"eof" | "end" | "timeout" | "interrupted"> {
  const rl = createInterface({ input, crlfDelay: Infinity });
  let outcome: "eof" | "end" | "timeout" | "interrupted" = "eof";
  let timer: NodeJS.Timeout | null = null;
  const arm = () => {
    if (timeoutS <= 0) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      outcome = "timeout";
      rl.close();
    }, timeoutS * 1000);
  };
  const onSigint = () => {
    outcome = "interrupted";
    rl.close();
  };
  process.once("SIGINT", onSigint);
  arm();
  try {
    for await (const line of rl) {
      arm();
      if (record) record.push(line);
      parser.feed(line);
      progress.update(parser);
      if (stopAtEnd && parser.done) {
        outcome = "end";
        break;
      }
    }
  } finally {
    if (timer) clearTimeout(timer);
    process.removeListener("SIGINT", onSigint);
    rl.close();
  }
  return outcome;
}

async function readSerial(o: Options, parser: HilParser, progress: Progress, record: string[] | null): Promise<string> {
  const { SerialPort } = await import("serialport");
  const path = o.port as string;
  const port = new SerialPort({ path, baudRate: o.baud, autoOpen: false });
  await new Promise<void>((resolve, reject) =>
    port.open((err) => (err ? reject(new SourceError(`cannot open serial port ${path}: ${err.message}; check the path (ls /dev/ttyACM* /dev/ttyUSB*) and that no serial monitor holds it`)) : resolve())),
  );
  process.stderr.write(`reading ${path} at ${o.baud} baud; reset the board to start the probe (Ctrl-C stops)\n`);
  try {
    const outcome = await feedStream(port, parser, progress, record, true, o.timeoutS);
    if (outcome === "timeout") return `no line for ${o.timeoutS} s: stopped`;
    if (outcome === "interrupted") return "interrupted: stopped";
    if (outcome === "eof") return "the port closed";
    return "";
  } finally {
    await new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
  }
}

class SourceError extends Error {}

/** Feeds a recorded file, read at once (so no progress to show). */
function readRecording(path: string, parser: HilParser, record: string[] | null): void {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new SourceError(`cannot read ${path}: ${(e as Error).message}`);
  }
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  for (const line of lines) {
    if (record) record.push(line);
    parser.feed(line);
  }
}

/** Each recording parsed on its own, so that its problems keep their line numbers and its completeness stands alone. */
function readRecordings(files: string[]): HilPart[] {
  return files.map((file) => {
    const parser = new HilParser();
    try {
      readRecording(file, parser, null);
    } catch (e) {
      if (e instanceof HilVersionError) throw new SourceError(`${file}: ${e.message}`);
      throw e;
    }
    return { file, run: parser.finish() };
  });
}

function reportUnknown(run: HilRun, prefix: string): void {
  if (run.unknownLines === 0) return;
  process.stderr.write(
    `ioport hil: ${prefix}skipped ${run.unknownLines} line(s) that are not IOPL1 records (other output on the console), first at line(s) ${run.unknownAt.join(", ")}\n`,
  );
}

export async function run(args: string[]): Promise<number> {
  const o = parseArgs(args);
  const parser = new HilParser();
  const progress = new Progress();
  const record: string[] | null = o.record ? [] : null;
  let source = "";
  let note = "";
  let parts: HilPart[] = [];
  try {
    if (o.sim) {
      source = `simulator (board ${o.board}, seed ${o.seed})`;
      await runSimProbe({
        board: o.board,
        samples: o.samples,
        seed: o.seed,
        ...(o.modes ? { modes: o.modes } : {}),
        onLine: (line) => {
          if (record) record.push(line);
          parser.feed(line);
          progress.update(parser);
        },
      });
    } else if (o.port !== null) {
      source = `serial ${o.port}`;
      note = await readSerial(o, parser, progress, record);
    } else if (o.files.length > 1) {
      source = o.files.join(", ");
      parts = readRecordings(o.files);
    } else if (o.files[0] === "-") {
      source = "standard input";
      const outcome = await feedStream(process.stdin, parser, progress, record, false, o.timeoutS);
      if (outcome === "timeout") note = `no line for ${o.timeoutS} s: stopped`;
    } else {
      source = o.files[0] as string;
      readRecording(source, parser, record);
    }
  } catch (e) {
    progress.end();
    if (e instanceof HilVersionError) {
      process.stderr.write(`ioport hil: ${e.message}\n`);
      return 2;
    }
    if (e instanceof SourceError) {
      process.stderr.write(`ioport hil: ${e.message}\n`);
      return 2;
    }
    if (e instanceof NoModelError) throw new UsageError(e.message);
    throw e;
  }
  progress.end();
  if (record && o.record) writeOut("the raw lines to", o.record, record.join("\n") + "\n");
  if (note) process.stderr.write(`ioport hil: ${note}\n`);
  let run: HilRun;
  try {
    run = parts.length > 0 ? mergeRuns(parts) : parser.finish();
  } catch (e) {
    if (e instanceof HilMergeError) {
      process.stderr.write(`ioport hil: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const report = buildReport(run, source);
  const anySamples = report.modes.some((m) => m.stats !== null);
  if (anySamples) {
    process.stdout.write(renderTable(report));
    if (o.histogram) process.stdout.write("\n" + renderHistograms(report));
  }
  if (parts.length > 0) for (const p of parts) reportUnknown(p.run, `${p.file}: `);
  else reportUnknown(run, "");
  const shown = run.problems.slice(0, 12);
  for (const p of shown) process.stderr.write(`ioport hil: ${p.message}\n`);
  if (run.problems.length > shown.length) {
    process.stderr.write(`ioport hil: ... and ${run.problems.length - shown.length} more problem(s)${o.json ? ` (all in ${o.json})` : " (--json lists them all)"}\n`);
  }
  if (o.json) writeOut("the JSON report to", o.json, JSON.stringify(report, null, 2) + "\n");
  if (o.svg && anySamples) writeOut("the plot to", o.svg, renderSvg(report, o.title ?? undefined));
  if (o.html && anySamples) writeOut("the HTML page to", o.html, renderHtml(report, o.title ?? undefined));
  if (!anySamples) {
    process.stderr.write(`ioport hil: no samples in ${source} (${run.lines} lines read): nothing to analyse${o.svg || o.html ? "; no plot written" : ""}\n`);
    return 1;
  }
  if (!run.complete) {
    process.stderr.write(`ioport hil: INCOMPLETE: the statistics above cover only the samples that arrived intact\n`);
    return 1;
  }
  return 0;
}
