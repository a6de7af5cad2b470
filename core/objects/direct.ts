/**
 * Direct delivery: the interrupt fast path.
 *
 * When an interrupt arrives while the kernel is idle (no syscall, event or
 * flush running, so no other port queued to wake either), and the
 * armed port has nothing queued and a callback waiter (io_wait_cb or
 * io_watch) that one completion satisfies, then posting the completion and
 * flushing would reap exactly that one completion into the waiter's memory
 * and call back at once. `deliverIrq` does the same in one step — the same
 * bytes (the 24-byte completion, then the arm's IrqEvent), the same callback
 * with n = 1, in the same order — without the ring, the wake list or an op
 * reap.
 *
 * Guarantees:
 * - It does nothing and returns false unless every condition holds; the
 *   caller then takes the general path. It never allocates.
 * - A one-shot arm is completed and freed before the callback runs (so the
 *   callback may re-arm), a multishot arm stays armed (IOCQE_F_MORE); a
 *   one-time waiter (io_wait_cb) is cleared first, a watch stays.
 * - The callback runs as from a flush: syscalls made in it queue their
 *   wakes, flushed after it returns; its exception is contained and
 *   reported (options.onUserError) while still inside that flush.
 * - The completion and the IrqEvent are stored in reap's order: a one-shot
 *   arm's IrqEvent (its copy-out hook) first, a multishot slot's after.
 * - A kernel tracer sees the same events in the same order as on the
 *   general path (the interrupt; a one-shot op's completion, then its reap),
 *   so traced runs — DST, Perfetto traces — take this path too.
 *
 * It is one flat function because in XS each method call walks the
 * receiver's own fields and then its prototype's (a call on a 30-field
 * object costs about 1.7 times one on a small object, measured) and each
 * `try` is a setjmp: the general path's post → leave → flush → deliver →
 * reap → callUser made seven calls and two `try`s per interrupt.
 */
import { storeIrqEvent, writeCompletion } from "../abi.js";
import { IOCQE_F_MORE } from "../constants.js";
import type { Op } from "../op.js";
import type { Task } from "../task.js";
import type { IrqLine } from "./irq.js";
import { WAIT_CB, WAIT_NONE, WAIT_WATCH, type Port, type WaitCallback } from "./port.js";

/**
 * Completes `op`, the oldest arm of `line`, with `n` interrupts (the first at
 * `firstNs`, `level` at the last) straight into its port's waiter, if the
 * conditions above hold. `line` has nothing latched (the caller checked).
 */
export function deliverIrq(line: IrqLine, op: Op, firstNs: number, level: number, n: number): boolean {
  const port = op.port as Port;
  const mode = port.waitMode;
  // (An idle kernel has an empty wake list, and no arm is left on a closed
  // port: neither needs a check. `count` does, though the same holds for it:
  // were a flush ever cut short, completions could be left queued, and this
  // one must not overtake them.)
  if ((mode !== WAIT_WATCH && mode !== WAIT_CB) || port.count !== 0 || port.waitMin !== 1 || port.starved !== null) return false;
  const k = port.kernel;
  if (k.depth !== 0 || k.flushing) return false;
  const multishot = op.multishot;
  // a multishot completion takes a slot of its own (Port.postEvent)
  if (multishot && port.reserved >= port.capacity) return false;
  // nothing stays latched, so the line's firstNs and level (read only while
  // interrupts are pending) need no update
  line.total += n;
  // a tracer sees what the general path shows it, in its order: the
  // interrupt, then a one-shot op's completion and its reap
  const tracer = k.tracer;
  if (tracer !== null) tracer.irq(line.line, firstNs, level);
  let flags = IOCQE_F_MORE;
  let r = n;
  // The order of the two stores is reap's (it matters if the IrqEvent buffer
  // overlaps `out`): a one-shot op's copy-out hook runs before its completion
  // is written, a multishot slot's IrqEvent after.
  const to = op.task as Task;
  if (multishot) {
    if (r > 0x7fffffff) r = 0x7fffffff;
  } else {
    if (r > 0xffffffff) r = 0xffffffff;
    line.arms.shift();
    op.target = null;
    op.cancelHook = null;
    if (op.linked) port.removeInflight(op);
    port.reserved--;
    flags = 0;
    op.result = r;
    op.cflags = 0;
    if (tracer !== null) tracer.complete(op);
    if (op.bufAddr !== 0) storeIrqEvent(to.i32, to.view, op.bufAddr, firstNs, r, level);
  }
  const task = port.waitTask as Task;
  const out = port.waitOut;
  if ((out & 3) === 0) {
    const words = task.i32;
    const w = out >>> 2;
    // (generated from core/abi.ts: tools/gen-inline.mjs)
    // inline storeCompletion(words, w, op.udLo, op.udHi, r, flags, op.opcode)
    words[w] = op.udLo;
    words[w + 1] = op.udHi;
    words[w + 2] = r;
    words[w + 3] = r < 0 ? -1 : 0;
    words[w + 4] = flags;
    words[w + 5] = op.opcode;
    // end inline
  } else writeCompletion(task.view, out, op.udLo, op.udHi, r, flags, op.opcode);
  if (multishot) {
    const a = op.bufAddr;
    if ((a & 3) === 0 && a !== 0) {
      // storeIrqEvent's aligned case, inline: this is the store every
      // multishot interrupt makes (one call less; generated from
      // core/abi.ts by tools/gen-inline.mjs)
      const ew = to.i32;
      const i = a >>> 2;
      // inline storeIrqEventWords(ew, i, firstNs, r, level)
      const hi = (firstNs / 4294967296) >>> 0;
      ew[i] = firstNs - hi * 4294967296;
      ew[i + 1] = hi;
      ew[i + 2] = r;
      ew[i + 3] = level;
      // end inline
    } else if (a !== 0) storeIrqEvent(to.i32, to.view, a, firstNs, r, level);
  } else {
    if (tracer !== null) tracer.reap(op);
    k.freeOp(op);
  }
  const cb = port.waitCb as WaitCallback;
  if (mode === WAIT_CB) {
    // a one-time waiter: cleared before the call, so the callback may wait again
    if (port.waitTimer !== 0) k.platform.cancel(port.waitTimer);
    port.waitMode = WAIT_NONE;
    port.waitTask = null;
    port.waitCb = null;
    port.waitTimer = 0;
    port.waitTimedOut = false;
  }
  k.flushing = true;
  try {
    cb(1);
  } catch (err) {
    // reported inside the flush, as the general path does (a syscall the
    // handler makes queues its wake; userError itself never throws)
    k.userError(err);
  }
  k.flushing = false;
  if (k.wakeCount !== 0) k.flush();
  return true;
}
