/**
 * Simulated GPIO bank: the GpioBackend of the simulated board.
 *
 * - Pins start at level 0. `drive(pin, level)` is the outside world driving
 *   an input; driving the current level is not an edge.
 * - `write(pin, level)` is the firmware driving an output (the gpio_write
 *   extension); `level` shows it to tests. A pin with a watcher reads its own
 *   output, so an edge written there raises its line too.
 * - The board's loopback wire (`loopback.out` → `loopback.in`) carries an
 *   output to an input, as a jumper on the real board does.
 * - An edge is delivered to the kernel at once, timestamped with the edge's
 *   virtual time; with a modelled interrupt latency (board `irqLatencyNs`),
 *   it is delivered that much later (sampled from the seeded PRNG, never
 *   reordering edges) and still timestamped with the edge's own time.
 */
import { IRQ_FALLING, IRQ_RISING } from "../../core/constants.js";
import type { GpioBackend, IrqSink } from "../../core/devices.js";
import type { Platform } from "../../core/platform.js";
import type { Prng } from "../prng.js";

export interface LatencyModel {
  /** Minimum and maximum added delay in ns (uniform); both 0 means none. */
  minNs: number;
  maxNs: number;
}

interface DelayedEdge {
  gpio: SimGpio;
  pin: number;
  level: number;
  at: number;
}

export class SimGpio implements GpioBackend {
  readonly pins: number;
  readonly levels: Uint8Array;
  /** 1 where the firmware drives the pin as an output. */
  readonly outputs: Uint8Array;
  /** Edges seen on each pin (statistics, for tests). */
  readonly edgeCounts: Uint32Array;
  private readonly sinks: (IrqSink | null)[];
  private readonly edges: Uint8Array;
  private lastDelivery = 0;
  /** Called on every level change of any pin (the VCD writer uses it), or null. */
  onLevel: ((pin: number, level: number, now: number) => void) | null = null;

  constructor(
    private readonly platform: Platform,
    pins: number,
    private readonly loopback: { out: number; in: number } | null = null,
    private readonly latency: LatencyModel | null = null,
    private readonly rng: Prng | null = null,
  ) {
    this.pins = pins;
    this.levels = new Uint8Array(pins);
    this.outputs = new Uint8Array(pins);
    this.edgeCounts = new Uint32Array(pins);
    this.edges = new Uint8Array(pins);
    this.sinks = new Array<IrqSink | null>(pins).fill(null);
  }

  watch(pin: number, edges: number, sink: IrqSink): void {
    this.sinks[pin] = sink;
    this.edges[pin] = edges;
  }

  unwatch(pin: number): void {
    this.sinks[pin] = null;
    this.edges[pin] = 0;
  }

  write(pin: number, level: number): void {
    this.outputs[pin] = 1;
    this.set(pin, level);
    const lb = this.loopback;
    if (lb !== null && lb.out === pin) this.set(lb.in, level);
  }

  read(pin: number): number {
    return this.levels[pin] as number;
  }

  /** The outside world drives input `pin` (spec §8 `sim.gpio(pin).drive`). */
  drive(pin: number, level: number): void {
    this.check(pin);
    if (this.outputs[pin]) {
      throw new Error(`ioport: sim.gpio(${pin}).drive(): pin ${pin} is an output driven by the firmware; drive an input pin`);
    }
    this.set(pin, level ? 1 : 0);
  }

  check(pin: number): void {
    if (!Number.isInteger(pin) || pin < 0 || pin >= this.pins) {
      throw new RangeError(`ioport: GPIO pin ${String(pin)} does not exist on this board (pins 0-${this.pins - 1})`);
    }
  }

  private set(pin: number, level: number): void {
    if (this.levels[pin] === level) return;
    this.levels[pin] = level;
    this.edgeCounts[pin]++;
    if (this.onLevel !== null) this.onLevel(pin, level, this.platform.now());
    const sink = this.sinks[pin];
    if (sink === null || sink === undefined) return;
    const want = level === 1 ? IRQ_RISING : IRQ_FALLING;
    if ((this.edges[pin] & want) === 0) return;
    const now = this.platform.now();
    const lat = this.latency;
    if (lat === null || lat.maxNs <= 0) {
      sink.raise(now, level);
      return;
    }
    const rng = this.rng;
    const d = rng === null ? lat.minNs : rng.int(lat.minNs, lat.maxNs);
    let at = now + d;
    if (at < this.lastDelivery) at = this.lastDelivery;
    this.lastDelivery = at;
    const ev: DelayedEdge = { gpio: this, pin, level, at: now };
    this.platform.schedule(at, deliverLate, ev);
  }
}

function deliverLate(arg: unknown): void {
  const ev = arg as DelayedEdge;
  const sink = (ev.gpio as unknown as { sinks: (IrqSink | null)[] }).sinks[ev.pin];
  if (sink) sink.raise(ev.at, ev.level);
}
