/**
 * GPIO edges from the native capture (drivers/moddable/irqcapture: the ISR
 * counts and timestamps every edge; docs/chip.md): the GpioBackend a board
 * uses unless its file asks for the ECMA-419 fallback (`moddable.irq:
 * "digital"`, DigitalGpio in digital.ts).
 *
 * - watch: one IrqCapture per watched pin; each batch the ISR collected
 *   (count, first and last edge time, level after the last) goes to the
 *   kernel as one `raiseBatch`: exact counts and the first edge's time, not
 *   the callback's.
 * - The ISR's times are the low 32 bits of the microsecond timer; the
 *   batch's first time is placed on the 64-bit clock by the distance back
 *   from now (exact while a batch waits less than 71 minutes).
 * - Outputs and plain reads stay on ECMA-419 Digital (the DigitalGpio
 *   given); a watched pin reads as the level after its last edge.
 */
import type { GpioBackend, IrqSink } from "../../core/devices.js";
import type { DigitalGpio } from "./digital.js";
import { batchFirstNs, NativeSource, type BatchCallback, type IrqCaptureObject } from "./native.js";

/** `IrqCapture` from "ioport/irqcapture". */
export interface IrqCaptureClass {
  new (pin: number, edges: number, pull: number, onEdges: BatchCallback): IrqCaptureObject;
}

export class CaptureGpio implements GpioBackend {
  readonly mergesEdges = false;
  readonly pins: number;
  private readonly watches: (NativeSource | null)[];
  /** Batches and edges delivered (statistics). */
  batches = 0;
  edges = 0;
  /** Offer the kernel a native fast lane for pins watched from now on (core/objects/lane.ts). */
  lanes = true;

  constructor(
    private readonly Capture: IrqCaptureClass,
    private readonly digital: DigitalGpio,
    private readonly microseconds: () => number,
    private readonly pulls: Readonly<Record<number, "up" | "down" | "none">> = {},
    private readonly log: (message: string) => void = () => {},
  ) {
    this.pins = digital.pins;
    this.watches = new Array<NativeSource | null>(digital.pins).fill(null);
  }

  watch(pin: number, edges: number, sink: IrqSink): void {
    this.unwatch(pin);
    const pull = this.pulls[pin] === "up" ? 1 : this.pulls[pin] === "down" ? 2 : 0;
    let w: NativeSource | null = null;
    // one closure per watch (irq_create), none per edge
    const onEdges: BatchCallback = (count, firstUs, _lastUs, level) => {
      if (w === null || this.watches[pin] !== w) return;
      const firstNs = batchFirstNs(this.microseconds(), firstUs);
      w.level = level;
      this.batches++;
      this.edges += count;
      const s = w.sink;
      if (s.raiseBatch !== undefined) s.raiseBatch(firstNs, level, count);
      else for (let k = count - 1; k >= 0; k--) s.raise(firstNs, level ^ (k & 1));
    };
    try {
      w = new NativeSource(new this.Capture(pin, edges, pull, onEdges), sink, this);
    } catch (e) {
      this.log(`gpio: cannot capture pin ${pin}: ${String(e)}`);
      return;
    }
    this.watches[pin] = w;
    if (this.lanes && w.laneCapable) (sink.attachLane as NonNullable<IrqSink["attachLane"]>)(w);
  }

  unwatch(pin: number): void {
    const w = this.watches[pin];
    if (w === null || w === undefined) return;
    this.watches[pin] = null;
    // (the kernel took the lane back when it entered to release the line)
    if (w.sink.attachLane !== undefined) w.sink.attachLane(null);
    w.capture.close();
  }

  write(pin: number, level: number): void {
    if (this.watches[pin]) {
      this.log(`gpio: pin ${pin} is watched for edges and cannot be driven too; wire a loopback jumper instead`);
      return;
    }
    this.digital.write(pin, level);
  }

  read(pin: number): number {
    const w = this.watches[pin];
    return w ? w.level : this.digital.read(pin);
  }
}
