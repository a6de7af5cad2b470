/**
 * The native fast lane's kernel side (IrqLane in core/devices.ts;
 * docs/chip.md, "The native fast lane").
 *
 * A backend that can deliver interrupts itself (drivers/moddable/irqcapture)
 * attaches a lane to its line. After a direct delivery (direct.ts) into an
 * io_watch waiter from a multishot arm, the kernel grants the lane if the
 * same delivery would be taken again for the next interrupt; the backend
 * then writes the completion and the IrqEvent and calls the watch's callback
 * without entering the kernel.
 *
 * Guarantees:
 * - A grant holds only the conditions direct delivery checks, with the
 *   kernel idle; nothing a lane delivery changes (the line's total, the
 *   kernel's userCalls) is read before the lane is revoked.
 * - Every kernel entry (Kernel.enter, the inline entries of io_submit,
 *   io_wait_cb and the interrupt paths) revokes every lane first, so the
 *   entry sees the state the general path would have left: the line's
 *   total and the kernel's count of user calls include the lane's batches.
 * - A lane revoked while its callback runs leaves the kernel flushing, as
 *   direct delivery's callback runs inside a flush: wakes queued by the
 *   callback's syscalls run when it returns (Kernel.laneExit).
 * - Allocation-free: the grant passes persistent values only.
 */
import { IOCQE_F_MORE } from "../constants.js";
import { WAIT_WATCH, type Port } from "./port.js";
import type { Op } from "../op.js";
import type { Task } from "../task.js";
import type { IrqLine } from "./irq.js";

/** After direct delivery of `op` (the line's multishot head) into `port`'s watch: grants the line's lane if the next interrupt would take the same path. */
export function grantLane(line: IrqLine, op: Op, port: Port): void {
  const lane = line.lane;
  const k = port.kernel;
  if (
    lane === null ||
    line.laneGranted ||
    line.closed ||
    line.pending !== 0 ||
    line.arms.head !== op ||
    port.closed ||
    port.waitMode !== WAIT_WATCH ||
    port.count !== 0 ||
    port.waitMin !== 1 ||
    port.starved !== null ||
    port.reserved >= port.capacity ||
    k.depth !== 0 ||
    k.flushing ||
    k.wakeCount !== 0 ||
    k.holding !== 0 ||
    k.tracer !== null
  ) {
    return;
  }
  const task = port.waitTask as Task;
  line.laneGranted = true;
  k.laneLines[k.lanes++] = line;
  lane.grant(task.memory.buffer as ArrayBuffer, port.waitOut, op.bufAddr, op.udLo, op.udHi, op.opcode, IOCQE_F_MORE, port.waitCb as (n: number) => void, k.laneExit);
}

/** Takes `line`'s lane back (Kernel.revokeLanes) and accounts for what it delivered. */
export function revokeLane(line: IrqLine): void {
  const lane = line.lane;
  line.laneGranted = false;
  if (lane === null) return;
  const n = lane.revoke();
  line.total += n;
  const k = line.kernel;
  k.userCalls += lane.revokedBatches;
  // the callback running now runs, as on the general path, inside a flush
  if (lane.revokedInCallback) k.flushing = true;
}
