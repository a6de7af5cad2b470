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
 * - Closing the last reference cancels every in-flight op (releasing what it
 *   holds), releases objects carried by queued completions, and resolves a
 *   pending wait with -EBADF.
 */
import { writeCompletion } from "../abi.js";
import { COMPLETION_SIZE } from "../constants.js";
import { EBADF } from "../errno.js";
import type { Kernel } from "../kernel.js";
import { OP_INFLIGHT, OP_QUEUED, type Op } from "../op.js";
import type { Task } from "../task.js";
import { visitMsg } from "./message.js";
import { KernelObject, KIND_PORT } from "./object.js";

export const WAIT_NONE = 0;
export const WAIT_PROMISE = 1;
export const WAIT_CB = 2;

export type WaitCallback = (n: number) => void;

export class Port extends KernelObject {
  readonly capacity: number;
  /** Accepted submissions whose completion is not yet reaped. */
  reserved = 0;
  private readonly ring: (Op | null)[];
  private head = 0;
  /** Completions queued, not yet reaped. */
  count = 0;
  inflightHead: Op | null = null;
  inflightTail: Op | null = null;
  inflight = 0;

  waitMode = WAIT_NONE;
  waitTask: Task | null = null;
  waitOut = 0;
  waitMax = 0;
  waitMin = 0;
  waitTimer = 0;
  waitTimedOut = false;
  waitResolve: ((n: number) => void) | null = null;
  waitCb: WaitCallback | null = null;
  /** In the kernel's wake list. */
  wakeQueued = false;

  constructor(kernel: Kernel, capacity: number) {
    super(kernel, KIND_PORT);
    this.capacity = capacity;
    this.ring = new Array<Op | null>(capacity).fill(null);
  }

  addInflight(op: Op): void {
    op.state = OP_INFLIGHT;
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
    this.inflight--;
  }

  /** Queues a completion; its slot was reserved at admission. */
  enqueue(op: Op): void {
    op.state = OP_QUEUED;
    this.ring[(this.head + this.count) % this.capacity] = op;
    this.count++;
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
    const view = task.view;
    const kernel = this.kernel;
    for (let i = 0; i < n; i++) {
      const op = this.ring[this.head] as Op;
      this.ring[this.head] = null;
      this.head = (this.head + 1) % this.capacity;
      this.count--;
      if (op.reapHook !== null) op.reapHook(op);
      writeCompletion(view, out + i * COMPLETION_SIZE, op.udLo, op.udHi, op.result, op.cflags, op.opcode);
      if (kernel.tracer !== null) kernel.tracer.reap(op);
      this.reserved--;
      kernel.freeOp(op);
    }
    return n;
  }

  /** Resolves the pending waiter (from the kernel's flush only). */
  deliver(): void {
    const mode = this.waitMode;
    if (mode === WAIT_NONE) return;
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
    if (mode === WAIT_CB) this.kernel.callUser(cb as WaitCallback, n);
    else (resolve as (n: number) => void)(n);
  }

  /** Objects carried by this port's in-flight sends and unreaped receives. */
  override visitCarried(visit: (obj: KernelObject) => void): void {
    for (let op = this.inflightHead; op !== null; op = op.pNext) if (op.msg !== null) visitMsg(op.msg, visit);
    for (let i = 0; i < this.count; i++) {
      const op = this.ring[(this.head + i) % this.capacity] as Op;
      if (op.msg !== null) visitMsg(op.msg, visit);
    }
  }

  protected onLastClose(): void {
    const kernel = this.kernel;
    let op: Op | null;
    while ((op = this.inflightHead) !== null) {
      this.removeInflight(op);
      const hook = op.cancelHook;
      op.cancelHook = null;
      if (hook !== null) hook(op);
      kernel.freeOp(op);
    }
    while (this.count > 0) {
      const q = this.ring[this.head] as Op;
      this.ring[this.head] = null;
      this.head = (this.head + 1) % this.capacity;
      this.count--;
      if (q.discardHook !== null) q.discardHook(q);
      kernel.freeOp(q);
    }
    this.reserved = 0;
    if (this.waitMode !== WAIT_NONE) kernel.queueWake(this);
  }
}
