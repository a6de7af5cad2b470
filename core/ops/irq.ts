/**
 * OP_IRQ_WAIT (spec §4.5, §9 Interrupts): `fd` must be an irq fd (-EBADF);
 * `buf_addr != 0` with `buf_len < 16` → -EINVAL; a bad 16-byte buffer →
 * -EFAULT. Completes when at least one interrupt is pending on the line
 * (at once when some are latched); arms are served FIFO. With a buffer, the
 * IrqEvent is written into the submitter's memory at reap time.
 */
import { storeIrqEvent } from "../abi.js";
import { IRQ_EVENT_SIZE } from "../constants.js";
import { EBADF, EFAULT, EINVAL } from "../errno.js";
import type { Kernel } from "../kernel.js";
import type { IrqLine } from "../objects/irq.js";
import { KIND_IRQ } from "../objects/object.js";
import type { Op } from "../op.js";
import type { Port } from "../objects/port.js";
import type { Task } from "../task.js";

function irqCancel(op: Op): void {
  const line = op.target as IrqLine | null;
  op.target = null;
  if (line === null) return;
  const wasHead = line.arms.head === op;
  line.arms.remove(op);
  if (wasHead) line.headCancelled();
}

function irqReap(op: Op): void {
  if (op.result <= 0) return;
  const task = op.task as Task;
  storeIrqEvent(task.i32, task.view, op.bufAddr, op.a, op.b, op.c);
}

export function opIrqWait(kernel: Kernel, op: Op, task: Task): void {
  const obj = task.get(op.fd);
  if (obj === null || obj.kind !== KIND_IRQ) {
    kernel.complete(op, -EBADF);
    return;
  }
  if (op.bufAddr !== 0) {
    if (op.bufLen < IRQ_EVENT_SIZE) {
      kernel.complete(op, -EINVAL);
      return;
    }
    if (!task.validRange(op.bufAddr, IRQ_EVENT_SIZE)) {
      kernel.complete(op, -EFAULT);
      return;
    }
    op.reapHook = irqReap;
  }
  if (op.multishot && (op.port as Port).capacity < 2) {
    // its own slot is kept for its final completion: it needs one more
    kernel.complete(op, -EINVAL);
    return;
  }
  op.target = obj;
  op.cancelHook = irqCancel;
  (obj as IrqLine).arm(op);
}
