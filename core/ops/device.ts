/** OP_READ / OP_WRITE (spec §4.3-4.4): filled in by the devices layer. */
import { ENOSYS } from "../errno.js";
import type { Kernel } from "../kernel.js";
import type { Op } from "../op.js";

export function opRead(kernel: Kernel, op: Op): void {
  kernel.complete(op, -ENOSYS);
}

export function opWrite(kernel: Kernel, op: Op): void {
  kernel.complete(op, -ENOSYS);
}
