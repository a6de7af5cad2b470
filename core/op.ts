/**
 * Op: one accepted submission, from `io_submit` until its completion is
 * reaped. Op records are pooled by the kernel, so a driver loop's steady
 * state allocates none; the completion queue of a port is a ring of them.
 *
 * An op never holds a reference on its target object (spec §9): `target` is
 * a plain pointer that the target clears when it cancels the op on close.
 * Hooks are plain functions taking the op, so no closure is built per op.
 *
 * - `cancelHook(op)`: detach from the target's queues and timers and release
 *   what the op holds. Called after `-ECANCELED` is posted (io_cancel), or
 *   with nothing posted when the port goes away.
 * - `reapHook(op)`: copy-out at reap time (data into the submitter's memory,
 *   fds into its table); it may rewrite `op.result` before it is written.
 * - `discardHook(op)`: a queued completion that will never be reaped (its
 *   port closed): release carried objects.
 */
import type { Msg } from "./objects/message.js";
import type { KernelObject } from "./objects/object.js";
import type { Port } from "./objects/port.js";
import type { Task } from "./task.js";

export type OpHook = (op: Op) => void;

export const OP_FREE = 0;
export const OP_INFLIGHT = 1;
export const OP_QUEUED = 2;

export class Op {
  // Declaration order is the order XS searches the fields in (a linear walk
  // per access): what the submit, complete, reap and interrupt paths touch
  // comes first.
  state = OP_FREE;
  port: Port | null = null;
  task: Task | null = null;
  udLo = 0;
  udHi = 0;
  opcode = 0;
  /** A multishot arm (IOSQE_MULTISHOT): stays armed across completions. */
  multishot = false;
  bufAddr = 0;
  /**
   * Whether the op is on its port's in-flight list. io_submit links an op
   * only once its handler has left it in flight: most entries complete at
   * once and never need the list.
   */
  linked = false;
  /** Target object's wait-queue links (FIFO arms). */
  qPrev: Op | null = null;
  qNext: Op | null = null;
  result = 0;
  cflags = 0;
  target: KernelObject | null = null;
  cancelHook: OpHook | null = null;
  reapHook: OpHook | null = null;
  fd = -1;
  bufLen = 0;
  timeoutNs = 0;
  /** Free-list link. */
  free: Op | null = null;
  /** Submission order, kernel-wide. */
  seq = 0;
  /** Port in-flight list links (submission order). */
  pPrev: Op | null = null;
  pNext: Op | null = null;
  discardHook: OpHook | null = null;

  /** Platform timer handle (OP_TIMEOUT), 0 when none. */
  timer = 0;
  /** Kernel-held data for copy-out at reap (reads) or copied in at submit (writes). */
  data: Uint8Array | null = null;
  dataLen = 0;
  /** Generic per-kind scratch fields (meaning documented by each opcode). */
  a = 0;
  b = 0;
  c = 0;
  obj: unknown = null;
  /** IPC message carried by the op (a parked send, or a receive awaiting reap). */
  msg: Msg | null = null;
  /**
   * Resolver of a blocking syscall (ipc_send/ipc_recv) parked as an op with
   * no port; null for port ops.
   */
  waiter: ((n: number) => void) | null = null;

  /**
   * Clears what a later use could read before writing it. The submission
   * fields, `state`, `task`, `seq`, `result` and `cflags` are written by
   * every use before they are read (io_submit or a blocking IPC call fills
   * them; completion sets the result), so they are not cleared here: this
   * runs once per operation and XS pays for every store.
   */
  reset(): void {
    this.port = null;
    this.target = null;
    this.cancelHook = null;
    this.reapHook = null;
    this.discardHook = null;
    this.timer = 0;
    this.dataLen = 0;
    this.a = 0;
    this.b = 0;
    this.c = 0;
    this.obj = null;
    this.msg = null;
    this.waiter = null;
    this.pPrev = this.pNext = this.qPrev = this.qNext = null;
    this.linked = false;
    this.multishot = false;
    this.state = OP_FREE;
  }

  /** Ensures `data` can hold `n` bytes; reuses the record's buffer when it can. */
  ensureData(n: number): Uint8Array {
    const d = this.data;
    if (d !== null && d.length >= n) return d;
    const grown = new Uint8Array(n < 16 ? 16 : n);
    this.data = grown;
    return grown;
  }
}

/**
 * An intrusive FIFO of ops (arms waiting on one object), linked through
 * `qPrev`/`qNext`: O(1) push, shift and removal, no allocation.
 */
export class OpQueue {
  head: Op | null = null;
  tail: Op | null = null;
  length = 0;

  push(op: Op): void {
    op.qNext = null;
    op.qPrev = this.tail;
    if (this.tail) this.tail.qNext = op;
    else this.head = op;
    this.tail = op;
    this.length++;
  }

  shift(): Op | null {
    const op = this.head;
    if (op) this.remove(op);
    return op;
  }

  remove(op: Op): void {
    if (op.qPrev) op.qPrev.qNext = op.qNext;
    else if (this.head === op) this.head = op.qNext;
    else return; // not in this queue
    if (op.qNext) op.qNext.qPrev = op.qPrev;
    else this.tail = op.qPrev;
    op.qPrev = op.qNext = null;
    this.length--;
  }
}
