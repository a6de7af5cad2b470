/** OP_IRQ_WAIT (spec §4.5): filled in by the devices layer. */
import { ENOSYS } from "../errno.js";
import type { Kernel } from "../kernel.js";
import type { Op } from "../op.js";

export function opIrqWait(kernel: Kernel, op: Op): void {
  kernel.complete(op, -ENOSYS);
}
