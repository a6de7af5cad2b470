/**
 * Port: a completion port (spec §3 io_create/io_submit/io_wait/io_wait_cb/
 * io_cancel, §5, §7).
 *
 * Guarantees:
 * - Admission: every accepted submission reserves one completion slot until
 *   its completion is reaped, so the queue can never overflow and no
 *   completion is ever dropped (`reserved <= capacity`).
 * - The completion queue is a fixed ring, sized at creation, of the pooled
 *   op records themselves: posting and reaping move references, never
 *   allocate.
 * - FIFO in posting order; exactly one completion per accepted submission
 *   unless the port is closed first.
 * - One waiter at a time. A waiter is resolved from the kernel's flush, after
 *   the syscall or event that satisfied it has finished, never inside one.
 * - Closing the last reference cancels every in-flight op in submission
 *   order, posting nothing (nobody can reap it), and releases what each
 *   held: a read's bytes go back to the front of the device's input, for a
 *   reader of another port, since the close is one cancel cascade
 *   (Kernel.hold) and no op of this port is left to take them. Then it
 *   releases the objects carried by queued completions and resolves a
 *   pending wait with -EBADF.
 */
import { CQE_WORDS, storeCompletion, storeIrqEvent, writeCompletion } from "../abi.js";
import { COMPLETION_SIZE, IOCQE_F_MORE, OP_NOP } from "../constants.js";
import { EBADF } from "../errno.js";
import type { Kernel } from "../kernel.js";
import { Op, OP_INFLIGHT, OP_QUEUED } from "../op.js";
import type { Task } from "../task.js";
import { visitMsg } from "./message.js";
import type { IrqLine } from "./irq.js";
import { KernelObject, KIND_PORT } from "./object.js";

export const WAIT_NONE = 0;
export const WAIT_PROMISE = 1;
export const WAIT_CB = 2;
/** A persistent waiter (io_watch): delivered after every event that queues completions, until io_unwatch or close. */
export const WAIT_WATCH = 3;

export type WaitCallback = (n: number) => void;

/** The class of the ring's marker slots (completions posted without an op record). */
export class RawEvent {}
/** A slot posted by a multishot arm (flags IOCQE_F_MORE, an optional IrqEvent). */
const EVENT_SLOT = new RawEvent();
/** A successful OP_NOP: result 0, flags 0, opcode 0; only its user_data is in rawUd. */
export const NOP_SLOT = new RawEvent();

interface RawEvents {
  task: (Task | null)[];
  addr: Int32Array;
  ts: Float64Array;
  level: Int32Array;
}

export class Port extends KernelObject {
  // Field order is declaration order, and XS finds a property by walking an
  // object's list of them: the fields the hot paths read come first (a field
  // 30 places down costs twice a first one, measured).
  waitMode = WAIT_NONE;
  /** Completions queued, not yet reaped. */
  count = 0;
  /** Native lanes granted that deliver to this port: anything that changes it takes them back first (core/objects/lane.ts). */
  lanes = 0;
  /** Accepted submissions whose completion is not yet reaped. */
  reserved = 0;
  readonly capacity: number;
  /** Oldest queued slot. */
  head = 0;
  /**
   * The completion ring. A slot holds the completed op, or null for a
   * completion posted without one — a NOP or an entry rejected at once,
   * written by io_submit — whose fields (flags 0, an int32 result) are then
   * in the raw arrays below: those need no op record at all, which was most
   * of what a NOP cost.
   */
  readonly ring: (Op | RawEvent | null)[];
  readonly rawUd: Int32Array;
  readonly rawRes: Int32Array;
  readonly rawOpc: Int32Array;
  waitMin = 0;
  /** Lines whose multishot arm waits for a free slot on this port. */
  starved: IrqLine[] | null = null;
  waitTask: Task | null = null;
  waitOut = 0;
  waitMax = 0;
  waitCb: WaitCallback | null = null;
  /** In the kernel's wake list. */
  wakeQueued = false;
  waitTimer = 0;
  waitTimedOut = false;
  waitResolve: ((n: number) => void) | null = null;
  /** A native lane holds this port's one-time waiter (io_wait_cb, io_wait): no second lane may (core/objects/lane.ts). */
  laneHoldsWaiter = false;
  /** IrqEvent copy-out of EVENT_SLOT completions; made on a port's first multishot completion. */
  private ev: RawEvents | null = null;
  inflightHead: Op | null = null;
  inflightTail: Op | null = null;
  inflight = 0;

  constructor(kernel: Kernel, capacity: number) {
    super(kernel, KIND_PORT);
    this.capacity = capacity;
    this.ring = new Array<Op | null>(capacity).fill(null);
    this.rawUd = new Int32Array(2 * capacity);
    this.rawRes = new Int32Array(capacity);
    this.rawOpc = new Int32Array(capacity);
  }

  addInflight(op: Op): void {
    op.state = OP_INFLIGHT;
    op.linked = true;
    op.pNext = null;
    op.pPrev = this.inflightTail;
    if (this.inflightTail) this.inflightTail.pNext = op;
    else this.inflightHead = op;
    this.inflightTail = op;
    this.inflight++;
  }

  removeInflight(op: Op): void {
    if (op.pPrev) op.pPrev.pNext = op.pNext;
    else this.inflightHead = op.pNext;
    if (op.pNext) op.pNext.pPrev = op.pPrev;
    else this.inflightTail = op.pPrev;
    op.pPrev = op.pNext = null;
    op.linked = false;
    this.inflight--;
  }

  /** Queues a completion; its slot was reserved at admission. */
  enqueue(op: Op): void {
    if (this.lanes !== 0) this.kernel.revokeLanes();
    op.state = OP_QUEUED;
    let at = this.head + this.count;
    if (at >= this.capacity) at -= this.capacity;
    this.ring[at] = op;
    this.count++;
  }

  /**
   * Queues a completion known at submission (a NOP, or an entry rejected at
   * once) in a raw slot, with no op record; its slot was reserved at
   * admission. A successful NOP takes a NOP_SLOT (only its user_data stored).
   */
  postRaw(udLo: number, udHi: number, result: number, opcode: number): void {
    if (this.lanes !== 0) this.kernel.revokeLanes();
    let at = this.head + this.count;
    if (at >= this.capacity) at -= this.capacity;
    this.ring[at] = result === 0 && opcode === OP_NOP ? NOP_SLOT : null;
    this.rawUd[2 * at] = udLo;
    this.rawUd[2 * at + 1] = udHi;
    this.rawRes[at] = result;
    this.rawOpc[at] = opcode;
    this.count++;
  }

  /**
   * Posts one completion of a multishot arm (flags IOCQE_F_MORE) in a newly
   * reserved slot. Returns false, posting nothing, when the port has no free
   * slot: the caller keeps its interrupts latched and waits for `starve`'s
   * retry.
   */
  postEvent(op: Op, count: number, ts: number, level: number): boolean {
    if (this.lanes !== 0) this.kernel.revokeLanes();
    if (this.reserved >= this.capacity) return false;
    this.reserved++;
    let at = this.head + this.count;
    if (at >= this.capacity) at -= this.capacity;
    this.ring[at] = EVENT_SLOT;
    this.rawUd[2 * at] = op.udLo;
    this.rawUd[2 * at + 1] = op.udHi;
    this.rawRes[at] = count;
    this.rawOpc[at] = op.opcode;
    let ev = this.ev;
    if (op.bufAddr !== 0 || ev !== null) {
      if (ev === null) {
        const cap = this.capacity;
        ev = this.ev = { task: new Array<Task | null>(cap).fill(null), addr: new Int32Array(cap), ts: new Float64Array(cap), level: new Int32Array(cap) };
      }
      ev.task[at] = op.bufAddr !== 0 ? op.task : null;
      ev.addr[at] = op.bufAddr;
      ev.ts[at] = ts;
      ev.level[at] = level;
    }
    this.count++;
    if (this.waitMode !== WAIT_NONE && !this.wakeQueued && this.waiterReady()) this.kernel.queueWake(this);
    return true;
  }

  /** `line` waits for a slot: it is retried after the next reap. */
  starve(line: IrqLine): void {
    const list = this.starved ?? (this.starved = []);
    if (list.indexOf(line) < 0) list.push(line);
  }

  private retryStarved(): void {
    const list = this.starved as IrqLine[];
    this.starved = null;
    for (let i = 0; i < list.length; i++) (list[i] as IrqLine).retry();
  }

  /** Whether a pending waiter can be resolved now. */
  waiterReady(): boolean {
    if (this.waitMode === WAIT_NONE) return false;
    return this.closed || this.waitTimedOut || this.count >= this.waitMin;
  }

  /**
   * Reaps up to `max` completions, oldest first, into `task`'s memory at
   * `out`: runs each op's copy-out, writes the 24-byte completion, releases
   * the slot. Returns how many were written.
   */
  reap(task: Task, out: number, max: number): number {
    const n = this.count < max ? this.count : max;
    const kernel = this.kernel;
    const ring = this.ring;
    const cap = this.capacity;
    // Aligned output is written as words (through the Int32Array view, which
    // XS stores into fastest: ToInt32 keeps the bits); a misaligned one
    // through the DataView.
    const words = (out & 3) === 0 ? task.i32 : null;
    let w = out >>> 2;
    const rawUd = this.rawUd;
    let at = this.head;
    // slots [0, done) are accounted in head/count/reserved
    let done = 0;
    for (let i = 0; i < n; i++, w += CQE_WORDS) {
      const op = ring[at] as Op | RawEvent | null;
      const slot = at;
      if (++at === cap) at = 0;
      if (op === NOP_SLOT) {
        // the common raw slot, written with no reads but its user_data
        if (words !== null && (w & 1) === 0) {
          // the common case: an 8-aligned completion, half its stores as
          // two 8-byte zeros (generated from core/abi.ts: tools/gen-inline.mjs)
          const f64 = task.f64;
          // inline storeNopCompletion8(words, f64, w, rawUd[2 * slot] as number, rawUd[2 * slot + 1] as number)
          words[w] = (rawUd[2 * slot] as number);
          words[w + 1] = (rawUd[2 * slot + 1] as number);
          f64[(w + 2) >>> 1] = 0;
          f64[(w + 4) >>> 1] = 0;
          // end inline
        } else if (words !== null) storeCompletion(words, w, rawUd[2 * slot] as number, rawUd[2 * slot + 1] as number, 0, 0, OP_NOP);
        else writeCompletion(task.view, out + i * COMPLETION_SIZE, rawUd[2 * slot] as number, rawUd[2 * slot + 1] as number, 0, 0, OP_NOP);
        continue;
      }
      if (op === null || op === EVENT_SLOT) {
        const r = this.rawRes[slot] as number;
        const opcode = this.rawOpc[slot] as number;
        const flags = op === null ? 0 : IOCQE_F_MORE;
        if (words !== null) {
          // (generated from core/abi.ts: tools/gen-inline.mjs)
          // inline storeCompletion(words, w, rawUd[2 * slot] as number, rawUd[2 * slot + 1] as number, r, flags, opcode)
          words[w] = (rawUd[2 * slot] as number);
          words[w + 1] = (rawUd[2 * slot + 1] as number);
          words[w + 2] = r;
          words[w + 3] = r < 0 ? -1 : 0;
          words[w + 4] = flags;
          words[w + 5] = opcode;
          // end inline
        } else {
          writeCompletion(task.view, out + i * COMPLETION_SIZE, rawUd[2 * slot] as number, rawUd[2 * slot + 1] as number, r, flags, opcode);
        }
        if (op !== null) {
          ring[slot] = null;
          const ev = this.ev;
          const to = ev === null ? null : ev.task[slot];
          if (to !== null && to !== undefined) {
            const e = ev as RawEvents;
            e.task[slot] = null;
            storeIrqEvent(to.i32, to.view, e.addr[slot] as number, e.ts[slot] as number, r, e.level[slot] as number);
          }
        }
        continue;
      }
      const o = op as Op;
      ring[slot] = null;
      // account before the copy-out hook runs: the port is consistent if it looks
      const took = i + 1 - done;
      done = i + 1;
      this.head = at;
      this.count -= took;
      this.reserved -= took;
      if (o.reapHook !== null) o.reapHook(o);
      const r = o.result;
      if (words !== null && r >= -0x80000000 && r <= 0xffffffff) {
        // (generated from core/abi.ts: tools/gen-inline.mjs)
        // inline storeCompletion(words, w, o.udLo, o.udHi, r, o.cflags, o.opcode)
        words[w] = o.udLo;
        words[w + 1] = o.udHi;
        words[w + 2] = r;
        words[w + 3] = r < 0 ? -1 : 0;
        words[w + 4] = o.cflags;
        words[w + 5] = o.opcode;
        // end inline
      } else {
        writeCompletion(task.view, out + i * COMPLETION_SIZE, o.udLo, o.udHi, r, o.cflags, o.opcode);
      }
      if (kernel.tracer !== null) kernel.tracer.reap(o);
      kernel.freeOp(o);
    }
    const took = n - done;
    this.head = at;
    this.count -= took;
    this.reserved -= took;
    if (this.starved !== null && n > 0) this.retryStarved();
    return n;
  }

  /** Resolves the pending waiter (from the kernel's flush only). */
  deliver(): void {
    const mode = this.waitMode;
    if (mode === WAIT_NONE) return;
    if (mode === WAIT_WATCH && !this.closed) {
      // a watch stays: reap and call back, nothing to clear or re-register
      const n = this.reap(this.waitTask as Task, this.waitOut, this.waitMax);
      this.kernel.callUser(this.waitCb as WaitCallback, n);
      // more than max were queued: the running flush calls back again
      if (this.count > 0 && this.waitMode === WAIT_WATCH && !this.wakeQueued) this.kernel.queueWake(this);
      return;
    }
    const task = this.waitTask as Task;
    const resolve = this.waitResolve;
    const cb = this.waitCb;
    if (this.waitTimer !== 0) this.kernel.platform.cancel(this.waitTimer);
    const n = this.closed ? -EBADF : this.reap(task, this.waitOut, this.waitMax);
    // clear before calling out, so the callback may wait again at once
    this.waitMode = WAIT_NONE;
    this.waitTask = null;
    this.waitResolve = null;
    this.waitCb = null;
    this.waitTimer = 0;
    this.waitTimedOut = false;
    if (mode === WAIT_PROMISE) {
      this.kernel.userCalls++;
      (resolve as (n: number) => void)(n);
    } else this.kernel.callUser(cb as WaitCallback, n);
  }

  /** Objects carried by this port's in-flight sends and unreaped receives. */
  override visitCarried(visit: (obj: KernelObject) => void): void {
    for (let op = this.inflightHead; op !== null; op = op.pNext) if (op.msg !== null) visitMsg(op.msg, visit);
    for (let i = 0; i < this.count; i++) {
      const op = this.ring[(this.head + i) % this.capacity] as Op | RawEvent | null;
      if (op instanceof Op && op.msg !== null) visitMsg(op.msg, visit);
    }
  }

  protected onLastClose(): void {
    const kernel = this.kernel;
    if (this.lanes !== 0) kernel.revokeLanes();
    let op: Op | null;
    // Oldest first. The close runs inside a cancel cascade (KernelObject's
    // close holds the kernel), so what a cancel frees — a read's bytes, a
    // bus — is served only once every op here is gone: none of this port's
    // ops can absorb bytes and vanish with them, nor start on a freed bus.
    // (A release that closes another object may complete an op of this
    // port meanwhile: Kernel.complete frees such an op, unlinking it.)
    while ((op = this.inflightHead) !== null) {
      this.removeInflight(op);
      const hook = op.cancelHook;
      op.cancelHook = null;
      if (hook !== null) hook(op);
      kernel.freeOp(op);
    }
    while (this.count > 0) {
      const q = this.ring[this.head] as Op | RawEvent | null;
      this.ring[this.head] = null;
      this.head = (this.head + 1) % this.capacity;
      this.count--;
      if (!(q instanceof Op)) continue;
      if (q.discardHook !== null) q.discardHook(q);
      kernel.freeOp(q);
    }
    this.reserved = 0;
    this.starved = null;
    if (this.ev !== null) this.ev.task.fill(null);
    if (this.waitMode !== WAIT_NONE) kernel.queueWake(this);
  }
}
