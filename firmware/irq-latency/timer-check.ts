/**
 * The probe's timer-line check: one periodic timer line (IRQ_TIMER_BASE,
 * 1 ms by default) with one multishot OP_IRQ_WAIT arm and its IrqEvent,
 * reaped by io_watch, for `periods` periods. Each completion's timestamp is
 * compared with the due time of its first interrupt, creation + k·period
 * (k counted from the completions' counts, so a lost or invented interrupt
 * shows as a growing error: drift). On a board with hardware alarms
 * (drivers/moddable/alarms.ts) the timestamp is the alarm ISR's clock
 * reading; on the kernel's own timers it is the due time itself.
 *
 * The errors go into a 100 ns histogram (no storage per period: 10,000
 * periods must fit a Pico's heap), and one IOPL1 T record reports them:
 *   IOPL1 T periods=N counted=C batches=B period_ns=P err_p50_ns=..
 *     err_p99_ns=.. err_min_ns=.. err_max_ns=.. last_err_ns=..
 * (`ioport hil` reads it). Engine-neutral: ES2022, no host globals.
 */
import { IOSQE_MULTISHOT, IRQ_EVENT_SIZE, IRQ_PERIODIC, IRQ_TIMER_BASE, OP_IRQ_WAIT } from "../../core/constants.js";
import { writeSubmission } from "../../core/abi.js";
import type { Kernel } from "../../core/kernel.js";
import type { Task } from "../../core/task.js";

const BUCKET_NS = 100;
const SPAN_NS = 20_000;
const BUCKETS = (2 * SPAN_NS) / BUCKET_NS;

export class TimerCheck {
  private readonly hist = new Uint32Array(BUCKETS + 2);
  private port = -1;
  private line = -1;
  private readonly sqe: number;
  private readonly cqe: number;
  private readonly ev: number;
  private createdNs = 0;
  private counted = 0;
  private batches = 0;
  private min = Infinity;
  private max = -Infinity;
  private last = 0;
  private emit: (line: string) => void = () => {};
  private done: () => void = () => {};
  private readonly cb = (n: number): void => this.completed(n);

  constructor(
    private readonly task: Task,
    private readonly kernel: Kernel,
    private readonly periods = 10_000,
    private readonly periodNs = 1_000_000,
  ) {
    this.sqe = task.alloc(48);
    this.cqe = task.alloc(24);
    this.ev = task.alloc(IRQ_EVENT_SIZE);
  }

  /** Runs the check; `emit` gets the T record (without its checksum), then `done` runs. */
  start(emit: (line: string) => void, done: () => void): void {
    this.emit = emit;
    this.done = done;
    this.hist.fill(0);
    this.counted = 0;
    this.batches = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.last = 0;
    const t = this.task;
    const sys = t.sys;
    this.port = sys.io_create(0);
    this.line = sys.irq_create(IRQ_TIMER_BASE, IRQ_PERIODIC, this.periodNs);
    const line = this.kernel.dev.lines.get(IRQ_TIMER_BASE);
    if (this.port < 0 || this.line < 0 || line === undefined) {
      emit(`IOPL1 T error=no-timer-line port=${this.port} line=${this.line}`);
      done();
      return;
    }
    this.createdNs = line.createdNs;
    writeSubmission(t.view, this.sqe, 1, 0, OP_IRQ_WAIT, IOSQE_MULTISHOT, this.line, this.ev, IRQ_EVENT_SIZE, 0);
    sys.io_watch(this.port, this.cqe, 1, this.cb);
    sys.io_submit(this.port, this.sqe, 1);
  }

  private completed(n: number): void {
    if (n < 1 || this.counted >= this.periods) return;
    const v = this.task.view;
    const stamp = v.getUint32(this.ev, true) + v.getUint32(this.ev + 4, true) * 4294967296;
    const count = v.getUint32(this.ev + 8, true);
    const err = stamp - (this.createdNs + (this.counted + 1) * this.periodNs);
    this.counted += count;
    this.batches++;
    this.last = err;
    if (err < this.min) this.min = err;
    if (err > this.max) this.max = err;
    const b = Math.floor((err + SPAN_NS) / BUCKET_NS);
    this.hist[b < 0 ? BUCKETS : b >= BUCKETS ? BUCKETS + 1 : b]++;
    if (this.counted >= this.periods) this.finish();
  }

  /** The error (ns) below which `q` of the batches fall: a bucket's upper edge (the outliers' own extremes past the span). */
  private quantile(q: number): number {
    const h = this.hist;
    let left = Math.ceil(q * this.batches);
    if ((left -= h[BUCKETS] as number) <= 0) return this.min;
    for (let b = 0; b < BUCKETS; b++) {
      left -= h[b] as number;
      if (left <= 0) return -SPAN_NS + (b + 1) * BUCKET_NS;
    }
    return this.max;
  }

  private finish(): void {
    const sys = this.task.sys;
    sys.io_unwatch(this.port);
    sys.close(this.line);
    sys.close(this.port);
    this.emit(
      `IOPL1 T periods=${this.periods} counted=${this.counted} batches=${this.batches} period_ns=${this.periodNs} ` +
        `err_p50_ns=${this.quantile(0.5)} err_p99_ns=${this.quantile(0.99)} err_min_ns=${this.min} err_max_ns=${this.max} last_err_ns=${this.last}`,
    );
    this.done();
  }
}
