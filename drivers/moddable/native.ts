/**
 * What the native interrupt sources of ioport/irqcapture share on the JS
 * side (drivers/moddable/irqcapture; docs/chip.md): a batch's time placed
 * on the kernel's clock, and the native fast lane (IrqLane) of one source —
 * a watched pin (capture.ts) or a timer line's hardware alarm (alarms.ts).
 */
import type { IrqLane, IrqSink } from "../../core/devices.js";

/** An `IrqCapture` or `IrqAlarm` object (irqcapture.js): grant and revoke are its native fast lane. */
export interface IrqCaptureObject {
  close(): void;
  grant?: IrqLane["grant"];
  revoke?(into: ArrayBuffer): void;
}

/** A batch's callback from the native side: count, first and last time (low 32 bits of the µs timer), level after the last. */
export type BatchCallback = (count: number, firstUs: number, lastUs: number, level: number) => void;

/** Batches and interrupts delivered, counted by their source (statistics). */
export interface BatchStats {
  batches: number;
  edges: number;
}

const TWO32 = 4294967296;

/**
 * The kernel-clock time (ns) of a batch's first interrupt: its 32-bit µs
 * stamp placed on the 64-bit clock by its distance back from `nowUs`
 * (exact while a batch waits less than 71 minutes). irqcapture_lane.h's
 * captureFirstNs computes the same for the lane.
 */
export function batchFirstNs(nowUs: number, firstUs: number): number {
  const back = (((nowUs % TWO32) - firstUs) % TWO32 + TWO32) % TWO32;
  return (nowUs - back) * 1000;
}

/** One native source and its line; also the line's native fast lane (IrqLane) when the object has one. */
export class NativeSource implements IrqLane {
  level = 0;
  revokedBatches = 0;
  revokedInCallback = false;
  /** revoke's answer: [edges, callbacks, in callback, level] (irqcapture.js). */
  private readonly got = new Float64Array(4);

  constructor(
    readonly capture: IrqCaptureObject,
    readonly sink: IrqSink,
    private readonly stats: BatchStats,
  ) {}

  /** Whether the object can be a lane and the sink takes one. */
  get laneCapable(): boolean {
    return typeof this.capture.grant === "function" && typeof this.capture.revoke === "function" && this.sink.attachLane !== undefined;
  }

  grant(
    memory: ArrayBuffer,
    out: number,
    ev: number,
    udLo: number,
    udHi: number,
    opcode: number,
    flags: number,
    kind: number,
    cb: (n: number) => void,
    exit: (threw: boolean, err: unknown) => void,
    state: ArrayBuffer,
  ): void {
    (this.capture.grant as IrqLane["grant"])(memory, out, ev, udLo, udHi, opcode, flags, kind, cb, exit, state);
  }

  revoke(): number {
    const got = this.got;
    got.fill(0);
    (this.capture.revoke as (into: ArrayBuffer) => void)(got.buffer as ArrayBuffer);
    const edges = got[0] as number;
    this.revokedBatches = got[1] as number;
    this.revokedInCallback = got[2] !== 0;
    if (edges > 0) {
      this.level = got[3] as number;
      this.stats.batches += this.revokedBatches;
      this.stats.edges += edges;
    }
    return edges;
  }
}
