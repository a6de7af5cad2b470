/**
 * Probe modes (b) and (c) on the ioport kernel: the same code on a board
 * (the Moddable Platform) and in the simulator. Engine-neutral: ES2022, no
 * host globals, no module-level state.
 *
 * (b) OP_IRQ_WAIT on the input pin's line, reaped by `io_wait_cb` with one
 *     persistent callback: the driver-loop form (no Promise, no allocation).
 * (c) the same arm reaped by the Promise form `io_wait` in an `await` loop.
 * (d) the interrupt fast path: one multishot OP_IRQ_WAIT arm
 *     (IOSQE_MULTISHOT, stays armed, a completion flagged IOCQE_F_MORE per
 *     batch of interrupts) reaped by `io_watch` (a persistent waiter): no
 *     syscall per interrupt.
 * Both ask for the 16-byte IrqEvent, as real user code would, so its copy-out
 * is part of what is timed. The first thing the user code does on a
 * completion is call `onEdge()` (the probe reads the clock there); re-arming
 * comes after.
 */
import { IOSQE_MULTISHOT, IRQ_FALLING, IRQ_RISING, IRQ_EVENT_SIZE, OP_IRQ_WAIT } from "../../core/constants.js";
import { writeSubmission } from "../../core/abi.js";
import type { Task } from "../../core/task.js";
import type { ModeHooks } from "./probe.js";

const CQE_RESULT = 8;

class KernelMode {
  protected readonly task: Task;
  protected readonly pin: number;
  protected port = -1;
  protected irq = -1;
  protected sqe = 0;
  protected cqe = 0;
  protected ev = 0;
  protected stopped = false;
  protected onEdge: () => void = noop;
  /** Reads the IrqEvent's timestamp (u64 ns at offset 0), for the probe to call after its clock reading. */
  readonly stamp = (): number => {
    const v = this.task.view;
    return v.getUint32(this.ev, true) + v.getUint32(this.ev + 4, true) * 4294967296;
  };

  constructor(task: Task, pin: number) {
    this.task = task;
    this.pin = pin;
  }

  protected open(onEdge: () => void, flags = 0): void {
    const t = this.task;
    const sys = t.sys;
    this.onEdge = onEdge;
    this.stopped = false;
    if (this.sqe === 0) {
      this.sqe = t.alloc(48);
      this.cqe = t.alloc(24);
      this.ev = t.alloc(IRQ_EVENT_SIZE);
    }
    this.port = check(sys.io_create(0), "io_create");
    this.irq = check(sys.irq_create(this.pin, IRQ_RISING | IRQ_FALLING), `irq_create(${this.pin})`);
    writeSubmission(t.view, this.sqe, 7, 0, OP_IRQ_WAIT, flags, this.irq, this.ev, IRQ_EVENT_SIZE, 0);
  }

  /** Submits the (already encoded) OP_IRQ_WAIT arm. */
  protected arm(): void {
    check(this.task.sys.io_submit(this.port, this.sqe, 1) === 1 ? 0 : -1, "io_submit(OP_IRQ_WAIT)");
  }

  /** The reaped completion's result (interrupts counted, or -errno). */
  protected result(): number {
    return this.task.view.getInt32(this.cqe + CQE_RESULT, true);
  }

  stop(): void {
    this.stopped = true;
    const sys = this.task.sys;
    sys.close(this.irq);
    sys.close(this.port);
  }
}

/** Mode (b): io_wait_cb with a persistent callback. */
export class CallbackMode extends KernelMode implements ModeHooks {
  private readonly cb = (n: number): void => this.completed(n);

  start(onEdge: () => void): void {
    this.open(onEdge);
    this.arm();
    this.wait();
  }

  private wait(): void {
    const r = this.task.sys.io_wait_cb(this.port, this.cqe, 1, 1, 0, this.cb);
    if (r >= 0) this.completed(r);
  }

  private completed(n: number): void {
    if (this.stopped || n < 1 || this.result() < 1) return;
    this.onEdge();
    if (this.stopped) return; // the probe moved on to the next mode
    this.arm();
    this.wait();
  }
}

/** Mode (c): the Promise form io_wait in an await loop. */
export class PromiseMode extends KernelMode implements ModeHooks {
  start(onEdge: () => void): void {
    this.open(onEdge);
    void this.loop();
  }

  private async loop(): Promise<void> {
    const sys = this.task.sys;
    for (;;) {
      this.arm();
      const n = await sys.io_wait(this.port, this.cqe, 1, 1, 0);
      if (this.stopped || n < 1 || this.result() < 1) return;
      this.onEdge();
      if (this.stopped) return;
    }
  }
}

/**
 * Mode (d): one multishot OP_IRQ_WAIT arm reaped by io_watch, the interrupt
 * fast path (no syscall per interrupt). The probe's onEdge is the watch's
 * callback itself, as it is Digital's in mode (a): with one multishot arm on
 * the port, every callback is a batch of edges, and its count and timestamp
 * are in the IrqEvent (read after the clock, through `stamp`).
 */
export class WatchMode extends KernelMode implements ModeHooks {
  start(onEdge: () => void): void {
    this.open(onEdge, IOSQE_MULTISHOT);
    check(this.task.sys.io_watch(this.port, this.cqe, 1, onEdge), "io_watch");
    this.arm(); // once: the arm stays armed
  }

  override stop(): void {
    // no callback for the arm's cancellation: it would count as a stray edge
    this.task.sys.io_unwatch(this.port);
    super.stop();
  }
}

function check(r: number, what: string): number {
  if (r < 0) throw new Error(`ioport probe: ${what} failed: ${r}`);
  return r;
}

function noop(): void {}
