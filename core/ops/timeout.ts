/**
 * OP_TIMEOUT (spec §4.2, §9): completes `timeout_ns` after submission with
 * result 0, never early, at the platform clock's resolution. A timeout of 0
 * is a timer event due now: it completes at the platform's next timer pass,
 * never inside io_submit. Cancelled: -ECANCELED and the timer is dropped.
 */
import { EINVAL } from "../errno.js";
import type { Kernel } from "../kernel.js";
import type { Op } from "../op.js";

function fire(arg: unknown): void {
  const op = arg as Op;
  const kernel = (op.task as { kernel: Kernel }).kernel;
  kernel.enter();
  try {
    op.timer = 0;
    kernel.complete(op, 0);
  } finally {
    kernel.leave();
  }
}

function cancel(op: Op): void {
  if (op.timer !== 0) {
    (op.task as { kernel: Kernel }).kernel.platform.cancel(op.timer);
    op.timer = 0;
  }
}

export function opTimeout(kernel: Kernel, op: Op): void {
  if (op.timeoutNs < 0) {
    kernel.complete(op, -EINVAL);
    return;
  }
  op.cancelHook = cancel;
  op.timer = kernel.platform.schedule(kernel.now() + op.timeoutNs, fire, op);
}
