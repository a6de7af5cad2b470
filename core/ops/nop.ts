/** OP_NOP (spec §4.1): completes at once with result 0. */
import type { Kernel } from "../kernel.js";
import type { Op } from "../op.js";

export function opNop(kernel: Kernel, op: Op): void {
  kernel.complete(op, 0);
}
