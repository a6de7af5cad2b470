/**
 * KernelObject: the reference-counted thing behind an fd (port, irq line,
 * device stream, channel end, notify object).
 *
 * Syscalls: every fd is one reference (`dup`, fd passing and the service
 * registry add references; `close` and `exit` drop them).
 * Guarantees: `onLastClose` runs exactly once, when the last reference goes,
 * inside the kernel (never from user code) and inside a cancel cascade
 * (Kernel.hold): the ops it cancels complete -ECANCELED, in submission
 * order, before anything they release is served to another op. The kernel
 * counts live objects so leaks are observable (`kernel.liveObjects`).
 */
import type { Kernel } from "../kernel.js";

export const KIND_PORT = 1;
export const KIND_IRQ = 2;
export const KIND_DEVICE = 3;
export const KIND_SEND = 4;
export const KIND_RECV = 5;
export const KIND_NOTIFY = 6;

export const KIND_NAMES: Readonly<Record<number, string>> = {
  [KIND_PORT]: "port",
  [KIND_IRQ]: "irq",
  [KIND_DEVICE]: "device",
  [KIND_SEND]: "send",
  [KIND_RECV]: "recv",
  [KIND_NOTIFY]: "notify",
};

export abstract class KernelObject {
  refs = 0;
  closed = false;
  readonly id: number;

  constructor(
    readonly kernel: Kernel,
    readonly kind: number,
  ) {
    this.id = kernel.objectCreated(this);
  }

  ref(): this {
    this.refs++;
    return this;
  }

  unref(): void {
    if (this.refs <= 0) return;
    if (--this.refs === 0 && !this.closed) this.close();
  }

  /**
   * Closes the object whatever its reference count (the orphan collector, for
   * objects kept alive only by fd-passing cycles). Holders that unref it later
   * find it closed and do nothing.
   */
  forceClose(): void {
    if (this.closed) return;
    this.refs = 0;
    this.close();
  }

  /**
   * Runs the close inside a cancel cascade (Kernel.hold): every op this
   * close, and any close it causes, cancels gets its -ECANCELED before a
   * device serves anything those ops gave back.
   */
  private close(): void {
    const k = this.kernel;
    this.closed = true;
    k.hold();
    try {
      this.onLastClose();
      k.objectDestroyed(this);
    } finally {
      k.release();
    }
  }

  /**
   * Calls `visit` for each object this one keeps alive through carried
   * messages (a recv end's queue, a port's operations). Used to find what the
   * service registry holds.
   */
  visitCarried(_visit: (obj: KernelObject) => void): void {}

  /** Close semantics of the object (spec §7, §9): cancel arms, notify peers, release. */
  protected abstract onLastClose(): void;
}
