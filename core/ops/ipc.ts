/** OP_IPC_SEND / OP_IPC_RECV / OP_RING_WAIT (spec §4.6-4.8): filled in by the IPC layer. */
import { ENOSYS } from "../errno.js";
import type { Kernel } from "../kernel.js";
import type { Op } from "../op.js";

export function opIpcSend(kernel: Kernel, op: Op): void {
  kernel.complete(op, -ENOSYS);
}

export function opIpcRecv(kernel: Kernel, op: Op): void {
  kernel.complete(op, -ENOSYS);
}

export function opRingWait(kernel: Kernel, op: Op): void {
  kernel.complete(op, -ENOSYS);
}
