/**
 * VcdRecorder: a Value Change Dump (IEEE 1364 §18) of the simulated board's
 * wires, for GTKWave or any waveform viewer: every GPIO pin, and each UART's
 * RX and TX lines modelled at bit level — idle high, a start bit (0), 8 data
 * bits LSB first, a stop bit (1; 0 for an injected framing error) — timed
 * from the device model's own byte times: the frame of byte k of a burst
 * spans [t0 + ceil((k-1)·T), t0 + ceil(k·T)], bit j starts at
 * start + floor(j·(end-start)/10). Timescale 1 ns, virtual time, so the same
 * seed and stimulus give a byte-identical file.
 *
 * Frames are reported by the UART model when they complete, after the GPIO
 * changes that happened meanwhile, so changes are kept with their times and
 * sorted (stably) when the file is written.
 */
import type { Simulator } from "../simulator.js";

export interface VcdOptions {
  /** GPIO pins to record (default: every pin of the board). */
  pins?: readonly number[];
  /** UART numbers to record (default: every UART of the board). */
  uarts?: readonly number[];
  /** A comment written into the header (e.g. the scenario and seed). */
  comment?: string;
}

interface VcdVar {
  name: string;
  code: string;
  initial: number;
}

/** The n-th VCD identifier code: printable ASCII 33..126, then two characters, ... */
export function vcdCode(n: number): string {
  let s = "";
  let x = n;
  do {
    s += String.fromCharCode(33 + (x % 94));
    x = Math.floor(x / 94) - 1;
  } while (x >= 0);
  return s;
}

export class VcdRecorder {
  private readonly vars: VcdVar[] = [];
  private readonly pinVar = new Map<number, number>();
  private readonly times: number[] = [];
  private readonly which: number[] = [];
  private readonly values: number[] = [];
  private readonly comment: string;

  constructor(sim: Simulator, options: VcdOptions = {}) {
    this.comment = options.comment ?? "";
    const bank = sim.gpioBank;
    const pins = options.pins ?? Array.from({ length: bank.pins }, (_, i) => i);
    for (const pin of pins) {
      bank.check(pin);
      this.pinVar.set(pin, this.addVar(`gpio${pin}`, bank.read(pin)));
    }
    bank.onLevel = (pin, level, now) => {
      const v = this.pinVar.get(pin);
      if (v !== undefined) this.change(now, v, level);
    };
    const uarts = options.uarts ?? sim.uarts.map((u) => Number(u.path.replace(/^\/dev\/uart/, "")));
    for (const n of uarts) {
      const u = sim.uart(n);
      const rx = this.addVar(`uart${n}_rx`, 1);
      const tx = this.addVar(`uart${n}_tx`, 1);
      u.observer = {
        rx: (byte, start, end, fe) => this.frame(rx, byte, start, end, fe ? 0 : 1),
        tx: (byte, start, end) => this.frame(tx, byte, start, end, 1),
      };
    }
  }

  private addVar(name: string, initial: number): number {
    this.vars.push({ name, code: vcdCode(this.vars.length), initial });
    return this.vars.length - 1;
  }

  private change(t: number, v: number, value: number): void {
    this.times.push(t);
    this.which.push(v);
    this.values.push(value);
  }

  /** One UART frame on line `v`: start bit, 8 data bits LSB first, stop bit, back to idle at `end`. */
  private frame(v: number, byte: number, start: number, end: number, stop: number): void {
    const span = end - start;
    const bitAt = (j: number): number => start + Math.floor((j * span) / 10);
    this.change(bitAt(0), v, 0);
    for (let j = 0; j < 8; j++) this.change(bitAt(j + 1), v, (byte >> j) & 1);
    this.change(bitAt(9), v, stop);
    if (stop === 0) this.change(end, v, 1);
  }

  /** Value changes recorded so far. */
  get changes(): number {
    return this.times.length;
  }

  /** The VCD file. */
  toString(): string {
    const out: string[] = [];
    if (this.comment) out.push(`$comment ${this.comment} $end`);
    out.push("$version ioport host simulator $end", "$timescale 1ns $end", "$scope module board $end");
    for (const v of this.vars) out.push(`$var wire 1 ${v.code} ${v.name} $end`);
    // the initial values are stamped #0: without it a reader (sigrok's VCD input) takes them as undated and shifts the first changes
    out.push("$upscope $end", "$enddefinitions $end", "#0", "$dumpvars");
    const cur = this.vars.map((v) => v.initial);
    for (let i = 0; i < this.vars.length; i++) out.push(`${cur[i]}${(this.vars[i] as VcdVar).code}`);
    out.push("$end");
    const order = this.times.map((_, i) => i);
    order.sort((a, b) => (this.times[a] as number) - (this.times[b] as number) || a - b);
    // per timestamp, only each var's last value counts (a frame ending as the next starts)
    const last = new Map<number, number>();
    let stampedAt = 0; // the #0 above
    for (let k = 0; k < order.length; ) {
      const t = this.times[order[k] as number] as number;
      last.clear();
      for (; k < order.length && this.times[order[k] as number] === t; k++) {
        const i = order[k] as number;
        const v = this.which[i] as number;
        last.delete(v);
        last.set(v, this.values[i] as number);
      }
      for (const [v, val] of last) {
        if (cur[v] === val) continue;
        cur[v] = val;
        if (stampedAt !== t) {
          out.push(`#${t}`);
          stampedAt = t;
        }
        out.push(`${val}${(this.vars[v] as VcdVar).code}`);
      }
    }
    return out.join("\n") + "\n";
  }
}
