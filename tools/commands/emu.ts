/**
 * `ioport emu <image.uf2>`: runs a Pico firmware image built by `ioport
 * firmware --board pico` on an emulated RP2040 (rp2040js), with the board
 * file's wiring (tools/emu/pico.ts), scripted stimulus in the scenario format
 * of `ioport sim`, and every console byte timestamped on the emulator's
 * clock. `--probe` runs the irq-latency probe to its end line, adds the
 * emulator's own edge times (G lines, docs/hil-format.md) and reports it as
 * `ioport hil` does; `--profile` samples the core's PC (tools/emu/profile.ts).
 *
 * Exit codes: 0 the run finished; 1 the firmware did not do what was asked
 * (a probe run without its end line, a `--until` text that never came);
 * 2 usage errors and unreadable inputs (image, bootrom, scenario, ELF).
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { boardNames, loadBoard } from "../../host-sim/boards.js";
import { ScenarioError } from "../../host-sim/scenario/schema.js";
import type { BoardSpec } from "../../core/board.js";
import { BootromError, readBootrom } from "../emu/bootrom.js";
import { consoleLines, groundTruthLines, type ConsoleLine } from "../emu/console.js";
import { EmulatedPico, type ConsoleName } from "../emu/pico.js";
import { PcProfiler, ProfileError, readSymbols, renderProfile, type ProfileReport } from "../emu/profile.js";
import { applyEmuStimulus, stimulusEnd, validateEmuScenario, type EmuScenario } from "../emu/scenario.js";
import { parseUf2, Uf2Error, type Uf2Block } from "../emu/uf2.js";
import { intOption, parseArgs, type ParsedArgs } from "../lib/args.js";
import { checkOutput, writeOutput } from "../lib/output.js";
import { UsageError } from "../lib/command.js";
import { parseDuration } from "../../host-sim/scenario/schema.js";

export const usage = `usage: ioport emu <image.uf2> [options]

Runs a Pico firmware image (ioport firmware --board pico) on an emulated RP2040.
  --bootrom FILE     the RP2040 bootrom: a 16 KB .bin, or rp2040js's demo/bootrom.ts
                     (default: $IOPORT_BOOTROM; docs/chip.md says where to get one)
  --board NAME       the board file for the wiring (default pico)
  --usb              attach a USB CDC host (default: none): the device enumerates and
                     its CDC console is logged; the host sends only when it has data
  --console NAME     the console to print and read: uart0 (default) or usb (needs --usb)
  --scenario FILE    stimulus in the ioport sim scenario format (gpio, uart with pace)
  --duration T       emulated time to run (e.g. 2s, 500ms; default: the scenario's, else 1s)
  --until TEXT       stop as soon as the console prints TEXT (exit 1 if it never does)
  --json FILE        write the run as JSON: console lines and bytes with emulated times,
                     loopback edges
  --quiet            print nothing but errors and where files were written
  --probe            run the irq-latency probe (ioport firmware --board pico --app
                     irq-latency) to its end line and report it as ioport hil does,
                     with the emulator's edge times beside the probe's clock
  --record FILE      (--probe) save the recording, G lines included
  --svg FILE         (--probe) the latency plot, as ioport hil --svg draws it
  --profile ELF      sample the core's PC and attribute time to the ELF's symbols
                     (arm-none-eabi-nm; the .elf sits beside the .uf2 mcconfig wrote)
  --sample-ns N      PC sampling period in emulated ns (default 1000)
  --window-us N      (--profile --probe) profile only N µs after each loopback edge
exit: 0 ran, 1 the firmware did not do what was asked, 2 usage error or unreadable input
`;

const VALUED = ["bootrom", "board", "console", "scenario", "duration", "until", "json", "record", "svg", "profile", "sample-ns", "window-us"];
const FLAGS = ["usb", "quiet", "probe"];

interface Options {
  image: string;
  bootrom: string;
  board: BoardSpec;
  usb: boolean;
  console: ConsoleName;
  scenario: EmuScenario | null;
  durationNs: number;
  until: string | null;
  json: string | null;
  quiet: boolean;
  probe: boolean;
  record: string | null;
  svg: string | null;
  profile: string | null;
  sampleNs: number;
  windowUs: number | null;
}

const DEFAULT_DURATION_NS = 1e9;
/** The probe's runs last a few emulated seconds each (200 samples a mode, 2-5 ms apart); give up after this. */
const PROBE_LIMIT_NS = 60e9;

function options(args: string[]): Options {
  const p: ParsedArgs = parseArgs(args, VALUED, FLAGS);
  if (p.positionals.length !== 1) throw new UsageError(p.positionals.length === 0 ? "give the firmware image (.uf2)" : `give one image, got ${p.positionals.length}: ${p.positionals.join(" ")}`);
  const bootrom = p.values.get("bootrom") ?? process.env.IOPORT_BOOTROM ?? "";
  if (bootrom === "") {
    throw new UsageError("no bootrom: give --bootrom FILE or set IOPORT_BOOTROM (the rp2040js package ships none; docs/chip.md says where to get one)");
  }
  const boardName = p.values.get("board") ?? "pico";
  let board: BoardSpec;
  try {
    board = loadBoard(boardName);
  } catch {
    throw new UsageError(`unknown board "${boardName}" (boards: ${boardNames().join(", ")})`);
  }
  if (board.moddable.platform !== "pico") throw new UsageError(`board ${board.name} is not an RP2040 board (mcconfig -p ${board.moddable.platform}): ioport emu emulates the RP2040 only`);
  const usb = p.flags.has("usb");
  const con = p.values.get("console") ?? "uart0";
  if (con === "usb" && !usb) throw new UsageError("--console usb needs --usb (a USB host to read the device's CDC console)");
  const uarts = board.uart.filter((u) => u.port !== undefined).map((u) => `uart${u.port as number}`);
  if (con !== "usb" && !uarts.includes(con)) throw new UsageError(`--console must be usb or one of the board's UARTs (${uarts.join(", ")}), got "${con}"`);
  let scenario: EmuScenario | null = null;
  const scFile = p.values.get("scenario");
  if (scFile !== undefined) scenario = readScenario(scFile);
  const d = p.values.get("duration");
  let durationNs = scenario?.duration ?? DEFAULT_DURATION_NS;
  if (d !== undefined) {
    try {
      durationNs = parseDuration(/^\d+(\.\d+)?$/.test(d) ? `${d}s` : d, "--duration");
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const probe = p.flags.has("probe");
  if (!probe && (p.values.has("record") || p.values.has("svg"))) throw new UsageError("--record and --svg are for --probe");
  if (!p.values.has("profile") && (p.values.has("sample-ns") || p.values.has("window-us"))) throw new UsageError("--sample-ns and --window-us are for --profile");
  if (p.values.has("window-us") && !probe) throw new UsageError("--window-us is for --profile with --probe (it profiles the time after each probe edge)");
  const sampleNs = intOption(p, "sample-ns", 1000, 8, 1e9);
  const windowUs = p.values.has("window-us") ? intOption(p, "window-us", 0, 1, 1e7) : null;
  return {
    image: p.positionals[0] as string,
    bootrom,
    board,
    usb,
    console: con as ConsoleName,
    scenario,
    durationNs,
    until: p.values.get("until") ?? null,
    json: p.values.get("json") ?? null,
    quiet: p.flags.has("quiet"),
    probe,
    record: p.values.get("record") ?? null,
    svg: p.values.get("svg") ?? null,
    profile: p.values.get("profile") ?? null,
    sampleNs,
    windowUs,
  };
}

function readScenario(file: string): EmuScenario {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read the scenario ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file}: not JSON: ${(e as Error).message}`);
  }
  try {
    return validateEmuScenario(json);
  } catch (e) {
    if (e instanceof ScenarioError) throw new UsageError(`${file}: ${e.message}`);
    throw e;
  }
}

function readImage(file: string): Uf2Block[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new UsageError(`cannot read the image ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return parseUf2(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    if (e instanceof Uf2Error) throw new UsageError(`${file}: ${e.message} (build one with: ioport firmware --board pico)`);
    throw e;
  }
}

function ms(ns: number): string {
  return (ns / 1e6).toFixed(3).padStart(10);
}

interface EmuRunResult {
  pico: EmulatedPico;
  lines: ConsoleLine[];
  reason: "time" | "stopped";
  profile: ProfileReport | null;
}

/** `ioport emu` (tools/lib/command.ts: usage errors and unreadable inputs are thrown as UsageError, exit 2). */
export async function run(args: string[]): Promise<number> {
  let symbols = null;
  const o = options(args);
  const image = readImage(o.image);
  let bootrom: Uint32Array;
  try {
    bootrom = readBootrom(o.bootrom);
    if (o.profile !== null) symbols = readSymbols(o.profile);
  } catch (e) {
    if (e instanceof BootromError || e instanceof ProfileError) throw new UsageError(e.message);
    throw e;
  }
  if (o.json !== null) checkOutput("--json", o.json);
  if (o.record !== null) checkOutput("--record", o.record);
  if (o.svg !== null) checkOutput("--svg", o.svg);
  const pico = new EmulatedPico({ bootrom, image, board: o.board, usb: o.usb });
  if (o.scenario !== null) {
    const end = stimulusEnd(o.scenario, (i) => pico.byteNs(o.board.uart[i]?.port ?? -1));
    if (end > o.durationNs && !o.probe) {
      throw new UsageError(`the stimulus runs to ${(end / 1e6).toFixed(3)} ms, past the duration (${(o.durationNs / 1e6).toFixed(3)} ms): give a longer --duration`);
    }
    try {
      applyEmuStimulus(pico, o.scenario);
    } catch (e) {
      if (e instanceof ScenarioError) throw new UsageError(e.message);
      throw e;
    }
  }
  const profiler = symbols !== null ? new PcProfiler(pico, symbols, o.sampleNs, o.windowUs) : null;
  profiler?.start();
  const lines: ConsoleLine[] = [];
  const printer = consoleLines((line) => {
    lines.push(line);
    if (!o.quiet && !o.probe) process.stdout.write(`[${ms(line.ns)} ms] ${line.text}\n`);
    if (o.until !== null && line.text.includes(o.until)) pico.stop();
    if (o.probe && /^IOPL1 E /.test(line.text.slice(line.text.indexOf("IOPL1")))) pico.stop();
  });
  pico.onByte = (name, b) => {
    if (name === o.console) printer(b);
  };
  const limit = o.probe ? PROBE_LIMIT_NS : o.durationNs;
  const started = Date.now();
  const tty = process.stderr.isTTY === true && !o.quiet;
  const reason = pico.run(limit, (now) => {
    if (tty) process.stderr.write(`\r  emulated ${(now / 1e9).toFixed(2)} s (${((now / 1e6) / Math.max(1, Date.now() - started)).toFixed(2)}× real time)   `);
  });
  if (tty) process.stderr.write("\r\x1b[K");
  const profile = profiler?.finish() ?? null;
  const outcome: EmuRunResult = { pico, lines, reason, profile };
  return o.probe ? reportProbe(o, outcome) : report(o, outcome);
}

function writeJson(o: Options, r: EmuRunResult, extra: Record<string, unknown>): void {
  if (o.json === null) return;
  const consoles: Record<string, { ns: number; byte: number }[]> = {};
  for (const [name, bytes] of r.pico.out) consoles[name] = bytes;
  const doc = {
    image: o.image,
    board: o.board.name,
    usbHost: o.usb,
    console: o.console,
    emulatedNs: r.pico.now,
    stoppedBy: r.reason === "stopped" ? (o.probe ? "probe end line" : "--until") : "duration",
    lines: r.lines,
    loopbackEdges: r.pico.loopbackEdges,
    consoles,
    ...extra,
    ...(r.profile !== null ? { profile: r.profile } : {}),
  };
  writeOutput(o.json, JSON.stringify(doc, null, 1) + "\n");
  process.stdout.write(`ioport emu: wrote ${o.json}\n`);
}

function report(o: Options, r: EmuRunResult): number {
  writeJson(o, r, {});
  if (r.profile !== null) process.stdout.write(renderProfile(r.profile));
  if (o.until !== null && r.reason !== "stopped") {
    process.stderr.write(`ioport emu: "${o.until}" never appeared on ${o.console} in ${(o.durationNs / 1e6).toFixed(1)} ms of emulated time\n`);
    return 1;
  }
  if (!o.quiet) process.stdout.write(`ioport emu: ran ${(r.pico.now / 1e6).toFixed(3)} ms of emulated time (USB host ${o.usb ? "attached" : "not attached"})\n`);
  return 0;
}

async function reportProbe(o: Options, r: EmuRunResult): Promise<number> {
  const rec = groundTruthLines(r.lines.map((l) => l.text), r.pico.loopbackEdges);
  const text = rec.lines.join("\n") + "\n";
  writeJson(o, r, { probe: { problems: rec.problems } });
  for (const p of rec.problems) process.stderr.write(`ioport emu: ${p}\n`);
  if (r.profile !== null) process.stdout.write(renderProfile(r.profile));
  if (r.reason !== "stopped") {
    process.stderr.write(`ioport emu: the probe printed no end line within ${PROBE_LIMIT_NS / 1e9} s of emulated time on ${o.console}: is the image the irq-latency probe (ioport firmware --board pico --app irq-latency)?\n`);
  }
  // the recording goes through ioport hil itself: one reader, one report
  const file = o.record ?? join(mkdtempSync(join(tmpdir(), "ioport-emu-")), "probe.txt");
  writeOutput(file, text);
  if (o.record !== null) process.stdout.write(`ioport emu: wrote ${file}\n`);
  const title = `${o.board.name}, emulated RP2040 (rp2040js), USB host ${o.usb ? "attached" : "not attached"}`;
  const { run: hil } = await import("./hil.js");
  const code = await hil(["--file", file, "--title", title, ...(o.svg !== null ? ["--svg", o.svg] : [])]);
  return r.reason !== "stopped" || rec.problems.length > 0 ? 1 : code;
}
