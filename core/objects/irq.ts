/**
 * IrqLine: a claimed interrupt line behind an irq fd — a GPIO pin's edges or
 * a timer line (spec §3 irq_create, §4.5 OP_IRQ_WAIT, §7, §9 Interrupts).
 *
 * Touched by: irq_create (claims the line), OP_IRQ_WAIT (arms), close/exit
 * (releases the line), and the interrupt path (`raise`, from a GPIO backend
 * or the line's own timer).
 *
 * Guarantees:
 * - Interrupts are counted and timestamped from creation on, armed or not:
 *   with nothing armed they are latched, and the next arm completes at once.
 * - Each completion covers every interrupt since the previous completion on
 *   the line: result = that count, IrqEvent = (timestamp of the first,
 *   count, level at the last). One interrupt satisfies the oldest arm only.
 * - `raise` counts into plain fields and fills a reserved slot without
 *   allocating. The waiter it satisfies is called back once the kernel is
 *   done with the interrupt, before `raise` returns: straight from the fast
 *   path (core/objects/direct.ts) or from the flush when the kernel leaves.
 * - A timer line's k-th interrupt is at creation + k·period (no drift); a
 *   late platform timer catches up with the exact count. On a hardware
 *   alarm (AlarmBackend) the alarm's handler keeps that count and the
 *   timestamp is its clock reading (docs/chip.md).
 * - Closing the last reference releases the line (it can be claimed again)
 *   and completes the arms -ECANCELED in FIFO order.
 */
import { IRQ_ONESHOT, IRQ_TIMER_BASE } from "../constants.js";
import type { IrqLane, IrqSink } from "../devices.js";
import { ECANCELED } from "../errno.js";
import type { Kernel, Resumable } from "../kernel.js";
import { OpQueue, type Op } from "../op.js";
import { deliverIrq } from "./direct.js";
import { laneEntry } from "./lane.js";
import { KernelObject, KIND_IRQ } from "./object.js";
import type { Port } from "./port.js";

/** Releases a claimed line in the device table (set by the table). */
export type LineRelease = (line: IrqLine) => void;

export class IrqLine extends KernelObject implements IrqSink, Resumable {
  // fields the interrupt path reads first (XS searches fields in order)
  readonly arms = new OpQueue();
  /** Interrupts since the previous completion (latched while unarmed). */
  pending = 0;
  /** Timestamp of the first of the pending interrupts (meaningful while pending > 0). */
  firstNs = 0;
  /** Interrupts ever raised on this line (statistics). */
  total = 0;
  /** Level seen at the last pending interrupt (0 for timers; meaningful while pending > 0). */
  level = 0;
  readonly line: number;
  readonly flags: number;
  readonly isTimer: boolean;

  // timer lines
  readonly createdNs: number;
  readonly periodNs: number;
  /** Interrupts fired so far (the k of creation + k·period). */
  fired = 0;
  timer = 0;
  /** The line runs on a hardware alarm (AlarmBackend), not on Platform.schedule. */
  onAlarm = false;

  private readonly release: LineRelease;

  /** The backend's native fast lane for this line, if it offers one (core/objects/lane.ts). */
  lane: IrqLane | null = null;
  /** The lane is granted (listed in Kernel.laneLines). */
  laneGranted = false;
  /** The granted lane's kind (LANE_ONESHOT, LANE_ONCE: core/abi.ts). */
  laneKind = 0;
  /** The granted lane holds its port's one-time waiter (Port.laneHoldsWaiter). */
  laneHoldsWaiter = false;
  /** The port the granted lane delivers to. */
  lanePort: Port | null = null;

  /** IrqSink.attachLane: the backend offers a lane (null: no more). */
  attachLane(lane: IrqLane | null): void {
    const k = this.kernel;
    if (this.laneGranted) k.revokeLanes();
    const list = k.laneCapable;
    const at = list.indexOf(this);
    if (lane === null) {
      if (at >= 0) list.splice(at, 1);
    } else if (at < 0) list.push(this);
    k.laneOffers = list.length;
    this.lane = lane;
    k.laneDirty = true;
  }

  constructor(kernel: Kernel, line: number, flags: number, periodNs: number, isTimer: boolean, release: LineRelease) {
    super(kernel, KIND_IRQ);
    this.line = line;
    this.flags = flags;
    this.isTimer = isTimer;
    this.periodNs = periodNs;
    this.createdNs = kernel.now();
    this.release = release;
    if (isTimer) {
      const alarms = kernel.dev.alarms;
      if (alarms !== null && alarms.start(line - IRQ_TIMER_BASE, this.createdNs, periodNs, (flags & IRQ_ONESHOT) !== 0, this)) this.onAlarm = true;
      else this.timer = kernel.platform.schedule(this.createdNs + periodNs, timerFire, this);
    }
  }

  raise(now: number, level: number): void {
    const k = this.kernel;
    if (k.lanes !== 0) laneEntry(this, k);
    const op = this.arms.head;
    // the fast path (core/objects/direct.ts): nothing latched, an arm whose port
    // would reap this interrupt alone and call back at once
    if (op !== null && this.pending === 0 && deliverIrq(this, op, now, level, 1)) return;
    k.depth++; // kernel.enter(), inlined: this is the interrupt path
    try {
      this.add(now, level, 1);
    } finally {
      k.leave();
    }
  }

  /** `count` interrupts reported together (IrqSink.raiseBatch): the same path as `raise`. */
  raiseBatch(firstNs: number, level: number, count: number): void {
    if (!(count >= 1)) return;
    const k = this.kernel;
    if (k.lanes !== 0) laneEntry(this, k);
    const op = this.arms.head;
    if (op !== null && this.pending === 0 && deliverIrq(this, op, firstNs, level, count)) return;
    k.depth++;
    try {
      this.add(firstNs, level, count);
    } finally {
      k.leave();
    }
  }

  /** Counts `n` interrupts, the first at `firstNs`; completes the oldest arm. Caller is inside the kernel. */
  add(firstNs: number, level: number, n: number): void {
    if (this.closed) return;
    if (this.pending === 0) this.firstNs = firstNs;
    this.pending += n;
    this.total += n;
    this.level = level;
    const tracer = this.kernel.tracer;
    if (tracer !== null) tracer.irq(this.line, firstNs, level);
    this.serveHead();
  }

  /** Gives what is latched to the oldest arm: a multishot arm posts a batch, a one-shot arm completes. */
  private serveHead(): void {
    const op = this.arms.head;
    if (op === null) return;
    if (op.multishot) this.fillMulti(op);
    else {
      this.arms.shift();
      this.fill(op);
    }
  }

  /** Arms `op`: completes at once if interrupts are latched, else queues it (FIFO). */
  arm(op: Op): void {
    if (this.lane !== null) {
      if (this.laneGranted) this.kernel.revokeLanes();
      this.kernel.laneDirty = true;
    }
    // latched interrupts go to this arm only if no older arm is queued (a
    // multishot arm waiting for a slot on its port is)
    if (op.multishot) {
      this.arms.push(op);
      if (this.pending > 0 && this.arms.head === op) this.fillMulti(op);
    } else if (this.pending > 0 && this.arms.length === 0) this.fill(op);
    else this.arms.push(op);
  }

  /**
   * A multishot arm (IOSQE_MULTISHOT) stays queued and posts one completion
   * per batch of interrupts, each in a slot reserved now. With no free slot
   * the interrupts stay latched and counted, and the port retries the line
   * after its next reap: never dropped.
   */
  private fillMulti(op: Op): void {
    const n = this.pending;
    if ((op.port as Port).postEvent(op, n > 0x7fffffff ? 0x7fffffff : n, this.firstNs, this.level)) this.pending = 0;
    else (op.port as Port).starve(this);
  }

  /** In the kernel's deferred list (Resumable). */
  deferred = false;

  /**
   * The head arm was cancelled (its port closed, io_cancel, an exit):
   * interrupts latched while a starved multishot arm held the head go to the
   * next arm, once the cancel cascade is over (a later arm of the same
   * cascade may be cancelled too: Kernel.hold). Found by the differential
   * property with Kernel.checkInvariants: a one-shot arm waited behind
   * latched interrupts for ever.
   */
  headCancelled(): void {
    if (this.pending === 0 || this.arms.head === null || this.closed) return;
    if (this.kernel.holding !== 0) this.kernel.defer(this);
    else this.serveHead();
  }

  /** The cascade is over (Resumable): whatever is still latched goes to the arm now at the head. */
  resume(): void {
    if (this.pending !== 0 && !this.closed) this.serveHead();
  }

  /** Called by a port that has freed slots: a starved multishot arm posts what is latched. */
  retry(): void {
    const op = this.arms.head;
    if (op !== null && op.multishot && this.pending > 0) this.fillMulti(op);
  }

  /** Completes `op` with every pending interrupt and starts a new count. */
  private fill(op: Op): void {
    const n = this.pending;
    op.a = this.firstNs;
    op.b = n > 0xffffffff ? 0xffffffff : n;
    op.c = this.level;
    op.target = null;
    this.pending = 0;
    this.kernel.complete(op, op.b);
  }

  protected onLastClose(): void {
    const k = this.kernel;
    if (this.laneGranted) k.revokeLanes();
    if (this.timer !== 0) {
      k.platform.cancel(this.timer);
      this.timer = 0;
    }
    this.release(this);
    let op: Op | null;
    while ((op = this.arms.shift()) !== null) {
      op.target = null;
      k.complete(op, -ECANCELED);
    }
  }
}

/**
 * Timer-line expiry: persistent function, the line is the argument (no
 * closure per line). Exported so that a platform can tell a timer line's
 * tick from its other events by the callback alone (the simulator's tick
 * merging).
 */
export function timerFire(arg: unknown, now: number): void {
  const line = arg as IrqLine;
  line.timer = 0;
  if (line.closed) return;
  const k = line.kernel;
  if (k.lanes !== 0) laneEntry(line, k);
  const first = line.createdNs + (line.fired + 1) * line.periodNs;
  // a late platform timer covers every period that has elapsed, exactly
  let n = line.flags & IRQ_ONESHOT ? 1 : Math.floor((now - line.createdNs) / line.periodNs) - line.fired;
  if (n < 1) n = 1;
  line.fired += n;
  if ((line.flags & IRQ_ONESHOT) === 0) {
    line.timer = k.platform.schedule(line.createdNs + (line.fired + 1) * line.periodNs, timerFire, line);
  }
  const op = line.arms.head;
  if (op !== null && line.pending === 0 && deliverIrq(line, op, first, 0, n)) return;
  k.enter();
  try {
    line.add(first, 0, n);
  } finally {
    k.leave();
  }
}
