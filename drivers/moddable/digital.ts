/**
 * GPIO on Moddable: the GpioBackend from ECMA-419 `Digital`
 * (`embedded:io/digital`).
 *
 * Edges: `watch` opens the pin as an input with `edge` set and an
 * `onReadable` callback. ECMA-419 reports *that* a pin changed, not how
 * often or when: Moddable's interrupt handler posts one message per pin and
 * merges further edges into it until JS runs. So the callback reads the
 * clock first (the timestamp is the callback's time, not the edge's: on an
 * emulated RP2040 about 57 µs after the edge, spec §10, plus one clock read,
 * ~6-7 µs), then the level, and raises the line once. When both edges are
 * watched and the level equals the one seen last time, at least two edges
 * were merged (a pulse shorter than the callback latency): it raises twice,
 * the opposite level then the current one. Otherwise merged edges are lost
 * to the count: counts are lower bounds under bursts faster than the
 * callback latency. The callback allocates nothing.
 *
 * Outputs: `write` opens the pin as an output on first use (closing an
 * input opened by `read`). A pin watched for edges cannot also be driven
 * through ECMA-419: such a write is dropped and logged once (use a loopback
 * jumper, as the boards do). A pin that cannot be opened (reserved, in use
 * by another driver) is logged and ignored: a syscall never throws.
 */
import { IRQ_FALLING, IRQ_RISING } from "../../core/constants.js";
import type { GpioBackend, IrqSink } from "../../core/devices.js";
import type { DigitalClass, DigitalIo } from "./io-types.js";

const NONE = 0;
const INPUT = 1;
const WATCHED = 2;
const OUTPUT = 3;
/** Watched before and unwatched: its Digital stays open, callbacks ignored (see unwatch). */
const MUTED = 4;

class PinState {
  mode = NONE;
  io: DigitalIo | null = null;
  sink: IrqSink | null = null;
  edges = 0;
  /** Last level seen (inputs) or written (outputs). */
  level = 0;
  warned = false;
  constructor(readonly pin: number) {}
}

export interface DigitalGpioOptions {
  /** Pull resistor per pin for inputs (e.g. a button to GND wants "up"). */
  pulls?: Readonly<Record<number, "up" | "down" | "none">>;
  log?: (message: string) => void;
}

export class DigitalGpio implements GpioBackend {
  /** ECMA-419 delivers "changed", not each edge: edges between two callbacks merge (see above). */
  readonly mergesEdges = true;
  readonly pins: number;
  private readonly Digital: DigitalClass;
  private readonly clock: () => number;
  private readonly states: (PinState | null)[];
  private readonly options: DigitalGpioOptions;
  /** Edges delivered to the kernel, and callbacks that carried merged edges (statistics). */
  edgesRaised = 0;
  mergedCallbacks = 0;

  constructor(Digital: DigitalClass, pins: number, clock: () => number, options: DigitalGpioOptions = {}) {
    this.Digital = Digital;
    this.pins = pins;
    this.clock = clock;
    this.options = options;
    this.states = new Array<PinState | null>(pins).fill(null);
  }

  private state(pin: number): PinState {
    let s = this.states[pin];
    if (s === null || s === undefined) {
      s = new PinState(pin);
      this.states[pin] = s;
    }
    return s;
  }

  private inputMode(pin: number): unknown {
    const pull = this.options.pulls?.[pin];
    const D = this.Digital;
    return pull === "up" ? D.InputPullUp : pull === "down" ? D.InputPullDown : D.Input;
  }

  private close(s: PinState): void {
    const io = s.io;
    s.io = null;
    s.mode = NONE;
    s.sink = null;
    if (io !== null) {
      try {
        io.close();
      } catch (e) {
        this.log(`gpio: closing pin ${s.pin} failed: ${String(e)}`);
      }
    }
  }

  private log(message: string): void {
    if (this.options.log) this.options.log(message);
  }

  watch(pin: number, edges: number, sink: IrqSink): void {
    const s = this.state(pin);
    if (s.mode === MUTED && s.edges === edges && s.io !== null) {
      // unmute the Digital kept open by unwatch (never re-open one: see unwatch)
      s.mode = WATCHED;
      s.sink = sink;
      s.level = s.io.read() ? 1 : 0;
      return;
    }
    this.close(s);
    const D = this.Digital;
    const edge = (edges & IRQ_RISING ? D.Rising : 0) | (edges & IRQ_FALLING ? D.Falling : 0);
    // one closure per watch (irq_create), none per edge
    const onReadable = (): void => this.onEdge(s);
    try {
      s.io = new D({ pin, mode: this.inputMode(pin), edge, onReadable });
    } catch (e) {
      this.log(`gpio: cannot watch pin ${pin}: ${String(e)}`);
      return;
    }
    s.mode = WATCHED;
    s.sink = sink;
    s.edges = edges;
    s.level = s.io.read() ? 1 : 0;
  }

  /** The ECMA-419 callback: clock first, then level, then the kernel. */
  private onEdge(s: PinState): void {
    const now = this.clock();
    const io = s.io;
    const sink = s.sink;
    if (io === null || sink === null) return;
    const level = io.read() ? 1 : 0;
    const both = (s.edges & (IRQ_RISING | IRQ_FALLING)) === (IRQ_RISING | IRQ_FALLING);
    if (both && level === s.level) {
      // the level is back where it was: a pulse whose two edges were merged
      this.mergedCallbacks++;
      this.edgesRaised += 2;
      s.level = level;
      sink.raise(now, level ^ 1);
      sink.raise(now, level);
      return;
    }
    s.level = level;
    this.edgesRaised++;
    sink.raise(now, level);
  }

  /**
   * Stops reporting edges of `pin` by muting its Digital, not closing it:
   * Moddable SDK 8.2.3 on the Pico (modules/io/digital/pico/digitalbank.c)
   * removes the GPIO interrupt callback of *every* pin when an edge-watching
   * Digital closes, while its static "installed" flag stays set, so no
   * edge-watching Digital opened afterwards ever gets a callback. Kept open,
   * the pin's callback does nothing until `watch` unmutes it (same edges; a
   * different edge selection has to re-open and may hit that bug). A muted
   * pin driven as an output is closed too (logged).
   */
  unwatch(pin: number): void {
    const s = this.states[pin];
    if (s !== null && s !== undefined && s.mode === WATCHED) {
      s.mode = MUTED;
      s.sink = null;
    }
  }

  write(pin: number, level: number): void {
    const s = this.state(pin);
    const v = level ? 1 : 0;
    if (s.mode === WATCHED) {
      if (!s.warned) this.log(`gpio: pin ${pin} is watched for edges and cannot be driven too; wire a loopback jumper instead`);
      s.warned = true;
      return;
    }
    if (s.mode !== OUTPUT) {
      if (s.mode === MUTED) this.log(`gpio: pin ${pin} was watched for edges; closing it to drive it (on a Pico this stops edge callbacks of every pin, see unwatch)`);
      this.close(s);
      try {
        s.io = new this.Digital({ pin, mode: this.Digital.Output });
      } catch (e) {
        this.log(`gpio: cannot drive pin ${pin}: ${String(e)}`);
        return;
      }
      s.mode = OUTPUT;
    }
    s.level = v;
    (s.io as DigitalIo).write(v);
  }

  read(pin: number): number {
    const s = this.state(pin);
    if (s.mode === OUTPUT) return s.level;
    if (s.mode === NONE) {
      try {
        s.io = new this.Digital({ pin, mode: this.inputMode(pin) });
      } catch (e) {
        this.log(`gpio: cannot read pin ${pin}: ${String(e)}`);
        return 0;
      }
      s.mode = INPUT;
    }
    return (s.io as DigitalIo).read() ? 1 : 0;
  }
}
