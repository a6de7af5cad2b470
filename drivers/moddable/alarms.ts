/**
 * Timer IRQ lines on hardware alarms (AlarmBackend; IrqAlarm of
 * drivers/moddable/irqcapture, docs/chip.md "Timer lines on hardware
 * alarms"): the alarm's handler fires at each due time (creation +
 * k·period, absolute, so no drift), counts the due times passed and reads
 * the microsecond timer, and the kernel gets each batch as one
 * `raiseBatch` — timestamped when the alarm fired, not when a millisecond
 * software timer got round to it.
 *
 * - A line whose times are not whole microseconds, or for which no alarm is
 *   free (the RP2040 has four, one of them the SDK's), is declined: the
 *   kernel runs it on Platform.schedule as before.
 * - Each alarm is also its line's native fast lane (NativeSource), as a
 *   watched pin's capture is.
 */
import type { AlarmBackend, IrqSink } from "../../core/devices.js";
import { batchFirstNs, NativeSource, type BatchCallback, type IrqCaptureObject } from "./native.js";

/** `IrqAlarm` from "ioport/irqcapture". */
export interface IrqAlarmClass {
  new (firstDueUs: number, periodUs: number, oneshot: number, onFire: BatchCallback): IrqCaptureObject;
}

export class ModdableAlarms implements AlarmBackend {
  private readonly lines = new Map<number, NativeSource>();
  /** Batches and interrupts delivered (statistics). */
  batches = 0;
  edges = 0;
  /** Offer the kernel a native fast lane for lines started from now on (core/objects/lane.ts). */
  lanes = true;

  constructor(
    private readonly Alarm: IrqAlarmClass,
    private readonly microseconds: () => number,
    private readonly log: (message: string) => void = () => {},
  ) {}

  start(n: number, createdNs: number, periodNs: number, oneshot: boolean, sink: IrqSink): boolean {
    const createdUs = createdNs / 1000;
    const periodUs = periodNs / 1000;
    if (!Number.isInteger(createdUs) || !Number.isInteger(periodUs) || periodUs < 1 || periodUs > 0xffffffff) return false;
    this.stop(n);
    let a: NativeSource | null = null;
    // one closure per line, none per interrupt
    const onFire: BatchCallback = (count, firstUs) => {
      if (a === null || this.lines.get(n) !== a) return;
      this.batches++;
      this.edges += count;
      (a.sink.raiseBatch as NonNullable<IrqSink["raiseBatch"]>)(batchFirstNs(this.microseconds(), firstUs), 0, count);
    };
    try {
      a = new NativeSource(new this.Alarm(createdUs + periodUs, periodUs, oneshot ? 1 : 0, onFire), sink, this);
    } catch (e) {
      this.log(`timer line ${n}: no hardware alarm (${String(e)}): the kernel's timers run it`);
      return false;
    }
    this.lines.set(n, a);
    if (this.lanes && a.laneCapable) (sink.attachLane as NonNullable<IrqSink["attachLane"]>)(a);
    return true;
  }

  stop(n: number): void {
    const a = this.lines.get(n);
    if (a === undefined) return;
    this.lines.delete(n);
    if (a.sink.attachLane !== undefined) a.sink.attachLane(null);
    a.capture.close();
  }
}
