/**
 * NotifyObject: a doorbell between tasks (spec §3 notify_create/notify,
 * §4.8 OP_RING_WAIT).
 *
 * Guarantees:
 * - Edge-triggered, one-shot: one `notify` completes the oldest armed
 *   OP_RING_WAIT (result 0) and only that one; arms are served FIFO.
 * - A notify with nothing armed is latched; several latched notifies
 *   coalesce into one, which satisfies the next arm at once.
 * - Closing the last reference completes every arm -ECANCELED, FIFO.
 * - Arms hold no reference to the object; the latch costs no allocation.
 */
import { ECANCELED } from "../errno.js";
import type { Kernel } from "../kernel.js";
import { OpQueue, type Op } from "../op.js";
import { KernelObject, KIND_NOTIFY } from "./object.js";

export class NotifyObject extends KernelObject {
  latched = false;
  readonly arms = new OpQueue();

  constructor(kernel: Kernel) {
    super(kernel, KIND_NOTIFY);
  }

  /** notify(fd): wake the oldest arm, or latch. */
  ring(): void {
    const op = this.arms.shift();
    if (op !== null) this.kernel.complete(op, 0);
    else this.latched = true;
  }

  /** OP_RING_WAIT: consume the latch at once, or arm. */
  arm(op: Op): void {
    if (this.latched) {
      this.latched = false;
      this.kernel.complete(op, 0);
      return;
    }
    op.obj = this;
    op.cancelHook = cancelArm;
    this.arms.push(op);
  }

  protected onLastClose(): void {
    let op: Op | null;
    while ((op = this.arms.shift()) !== null) this.kernel.complete(op, -ECANCELED);
  }
}

function cancelArm(op: Op): void {
  (op.obj as NotifyObject).arms.remove(op);
}
