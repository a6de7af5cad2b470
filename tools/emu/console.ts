/**
 * Console bytes → timestamped lines, and the probe's recording → the same
 * recording with the emulator's edge times added (G lines).
 */
import { ioplLine } from "../../firmware/irq-latency/probe.js";
import type { ConsoleByte, PinEdge } from "./pico.js";

export interface ConsoleLine {
  /** Emulated time of the line's first byte, ns. */
  ns: number;
  /** Emulated time of its newline, ns. */
  endNs: number;
  text: string;
}

/** A byte feeder that calls `onLine` for every line (CR, LF or CRLF ended; a CR alone redraws, as a terminal does). */
export function consoleLines(onLine: (line: ConsoleLine) => void): (b: ConsoleByte) => void {
  let text = "";
  let start = -1;
  return (b) => {
    if (b.byte === 0x0a) {
      onLine({ ns: start < 0 ? b.ns : start, endNs: b.ns, text });
      text = "";
      start = -1;
      return;
    }
    if (b.byte === 0x0d) return;
    if (start < 0) start = b.ns;
    text += String.fromCharCode(b.byte);
  };
}

export interface GroundTruth {
  /** The recording's lines with a G line after every S line. */
  lines: string[];
  /** Why a pairing of samples and edges could not be trusted (then no G lines are written). */
  problems: string[];
}

/** Edge written → seen by the emulator, at most (a sanity bound for the pairing, µs). */
const WRITE_BOUND_US = 10_000;

/**
 * Pairs the probe's samples with the loopback output's edges the emulator
 * saw. The probe drives exactly one edge per sample (S or X line), in order,
 * so the k-th S/X record of the run is the k-th edge. Each S line gets
 * `IOPL1 G <mode> <seq> <edge_ns> <latency_ns>`: the edge's emulated time,
 * and user code's time (the probe's clock reading, which is the RP2040's
 * TIMER: rp2040js derives it from the emulated clock, floor(ns / 1000)) less
 * it. A pairing that breaks causality (an edge before the probe's clock
 * reading, or long after it) is reported and no G line is written.
 */
export function groundTruthLines(lines: readonly string[], edges: readonly PinEdge[]): GroundTruth {
  const out: string[] = [];
  const problems: string[] = [];
  let k = 0;
  let header = false;
  for (const line of lines) {
    const at = line.indexOf("IOPL1 ");
    if (at < 0) continue;
    out.push(line.slice(at));
    const f = line.slice(at).split(" ");
    if (f[1] === "H") {
      if (header) problems.push("a second probe header: the recording holds more than one run");
      header = true;
      continue;
    }
    if (f[1] !== "S" && f[1] !== "X") continue;
    const edge = edges[k++];
    if (edge === undefined) {
      problems.push(`sample ${f[2]} ${f[3]}: the emulator saw no loopback edge for it (${edges.length} edges in all)`);
      continue;
    }
    if (f[1] === "X") continue;
    const latencyUs = Number(f[4]);
    const edgeUs = Number(f[5]);
    const lagUs = edge.ns / 1000 - edgeUs;
    if (!(lagUs >= 0 && lagUs < WRITE_BOUND_US)) {
      problems.push(`sample ${f[2]} ${f[3]}: the emulator's edge at ${edge.ns} ns is not just after the probe's clock reading (${edgeUs} µs): samples and edges do not pair`);
      continue;
    }
    const latencyNs = Math.round((edgeUs + latencyUs) * 1000 - edge.ns);
    out.push(ioplLine(`IOPL1 G ${f[2]} ${f[3]} ${Math.round(edge.ns)} ${Math.max(0, latencyNs)}`));
  }
  if (k !== edges.length && problems.length === 0 && out.some((l) => l.startsWith("IOPL1 E "))) {
    problems.push(`the probe reported ${k} edges and the emulator saw ${edges.length} on the loopback output`);
  }
  return { lines: out, problems };
}
