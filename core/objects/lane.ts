/**
 * The native fast lane's kernel side (IrqLane in core/devices.ts;
 * docs/chip.md, "The native fast lane").
 *
 * A backend that can deliver interrupts itself (drivers/moddable/irqcapture)
 * attaches a lane to its line. Whenever the kernel leaves with the line's
 * oldest arm waiting on a port whose waiter one completion satisfies, and
 * nothing else is queued, it grants the lane: the backend then stores the
 * completion and the IrqEvent into the task and calls the waiter (the
 * io_watch or io_wait_cb callback, or io_wait's resolve) itself, without
 * entering the kernel. Kinds: a multishot arm with a watch stays granted; a
 * one-shot arm or a one-time waiter (LANE_ONCE) takes one batch.
 *
 * Guarantees:
 * - A grant needs what direct delivery (direct.ts) needs, with the kernel
 *   idle and no tracer, plus: the waiter's task is the arm's, and the wait
 *   has no timeout.
 * - Whatever could see or change the lane's port or line revokes the lanes
 *   first: a syscall naming the port (sys/io.ts portOf), a completion
 *   posted to it (Port.enqueue, postRaw, postEvent), its close; the line's
 *   arm, interrupt (laneEntry) or close; a task's exit; an op allocation
 *   while a one-shot lane may hold a spent op (Kernel.allocOp); direct
 *   delivery declines a port with lanes. The revoke brings the kernel to
 *   the state direct delivery would have left: the line's total, the count
 *   of user calls, and, for a lane that delivered, the one-shot arm
 *   completed and freed, the one-time waiter cleared. So nothing can tell
 *   a lane's delivery from the kernel's (tests/lane-xs.test.ts).
 * - User code a lane called runs, as direct delivery's callback does,
 *   inside a flush: the backend counts running lane callbacks in
 *   Kernel.laneState, a kernel entry that sees one marks the kernel
 *   flushing, and Kernel.laneExit flushes when the callback returns.
 * - Allocation-free: the grant passes persistent values only.
 */
import { LANE_ONCE, LANE_ONESHOT } from "../abi.js";
import { IOCQE_F_MORE } from "../constants.js";
import type { Kernel } from "../kernel.js";
import type { Task } from "../task.js";
import type { IrqLine } from "./irq.js";
import { WAIT_CB, WAIT_NONE, WAIT_PROMISE, WAIT_WATCH, type Port } from "./port.js";

/** Kernel.laneState's words: lane callbacks running (the backend's count), laneExit needed (the kernel's flag). */
export const LANE_RUNNING = 0;
export const LANE_EXIT = 1;

/**
 * An interrupt of `line` reaches the kernel while lanes are granted (the
 * caller checked Kernel.lanes: one field on the interrupt path when none
 * are): its own lane is taken back, and a lane callback running now makes
 * the kernel count as flushing.
 */
export function laneEntry(line: IrqLine, k: Kernel): void {
  if (line.laneGranted) k.revokeLanes();
  if (k.lanes !== 0) k.laneEntered();
}

/** Grants `line`'s lane if its oldest arm's next interrupt would be delivered straight to its port's waiter. */
export function grantLane(line: IrqLine): void {
  const lane = line.lane;
  const op = line.arms.head;
  if (lane === null || line.laneGranted || op === null || line.pending !== 0 || line.closed) return;
  const port = op.port as Port;
  const k = port.kernel;
  if (
    port.closed ||
    port.count !== 0 ||
    port.waitMin !== 1 ||
    port.waitTimer !== 0 ||
    port.starved !== null ||
    port.waitTask !== op.task ||
    k.depth !== 0 ||
    k.flushing ||
    k.wakeCount !== 0 ||
    k.holding !== 0 ||
    k.tracer !== null
  ) {
    return;
  }
  const mode = port.waitMode;
  let kind = 0;
  let cb: ((n: number) => void) | null;
  if (mode === WAIT_WATCH) cb = port.waitCb;
  else if (mode === WAIT_CB) {
    cb = port.waitCb;
    kind = LANE_ONCE;
  } else if (mode === WAIT_PROMISE) {
    cb = port.waitResolve;
    kind = LANE_ONCE;
  } else return;
  // a one-time waiter takes one completion: two lines' lanes must not both
  // deliver to it (a watch may be shared: each batch is called back on its own)
  const holds = kind === LANE_ONCE;
  if (cb === null || (holds && port.laneHoldsWaiter)) return;
  if (!op.multishot) kind = LANE_ONESHOT | LANE_ONCE;
  // a multishot completion takes a slot of its own (Port.postEvent)
  else if (port.reserved >= port.capacity) return;
  line.laneGranted = true;
  line.laneKind = kind;
  line.laneHoldsWaiter = holds;
  line.lanePort = port;
  port.lanes++;
  if ((kind & LANE_ONESHOT) !== 0) k.oneshotLanes++;
  if (holds) port.laneHoldsWaiter = true;
  k.laneLines[k.lanes++] = line;
  const task = op.task as Task;
  lane.grant(task.memory.buffer as ArrayBuffer, port.waitOut, op.bufAddr, op.udLo, op.udHi, op.opcode, op.multishot ? IOCQE_F_MORE : 0, kind, cb, k.laneExit, k.laneState.buffer as ArrayBuffer);
}

/** Takes `line`'s lane back (Kernel.revokeLanes) and accounts for what it delivered. */
export function revokeLane(line: IrqLine, k: Kernel): void {
  const lane = line.lane;
  line.laneGranted = false;
  // granted again at the next exit from the kernel if it still can be
  k.laneDirty = true;
  const lanePort = line.lanePort as Port;
  line.lanePort = null;
  lanePort.lanes--;
  if ((line.laneKind & LANE_ONESHOT) !== 0) k.oneshotLanes--;
  if (line.laneHoldsWaiter) {
    line.laneHoldsWaiter = false;
    lanePort.laneHoldsWaiter = false;
  }
  if (lane === null) return;
  const n = lane.revoke();
  // the callback running now runs, as on the general path, inside a flush
  if (lane.revokedInCallback) k.laneCallbackEntered();
  const batches = lane.revokedBatches;
  if (batches === 0) return;
  line.total += n;
  k.userCalls += batches;
  const kind = line.laneKind;
  const op = line.arms.head;
  if (op === null) return; // (cannot be: nothing entered the kernel since the grant)
  const port = op.port as Port;
  if ((kind & LANE_ONESHOT) !== 0) {
    // what direct delivery does for a one-shot arm (direct.ts)
    line.arms.shift();
    op.target = null;
    op.cancelHook = null;
    if (op.linked) port.removeInflight(op);
    port.reserved--;
    op.result = n > 0xffffffff ? 0xffffffff : n;
    op.cflags = 0;
    k.freeOp(op);
  }
  if ((kind & LANE_ONCE) !== 0 && port.waitMode !== WAIT_WATCH) {
    // a one-time waiter, cleared as Port.deliver clears it (its timer was 0)
    port.waitMode = WAIT_NONE;
    port.waitTask = null;
    port.waitCb = null;
    port.waitResolve = null;
    port.waitTimer = 0;
    port.waitTimedOut = false;
  }
}
