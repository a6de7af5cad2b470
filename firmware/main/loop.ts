/**
 * A driver loop over one port with `io_wait_cb` (spec §3): wait for at
 * least one completion, hand each to the handler, wait again. With
 * `watch`, the loop is one `io_watch` instead (a persistent waiter, spec §3):
 * no syscall per wake-up at all, which with multishot OP_IRQ_WAIT arms makes
 * the interrupt fast path (spec §4.11). The wake-up
 * callback is one persistent function made at construction, so the steady
 * state allocates nothing and no Promise sits between an interrupt and the
 * handler (on the Pico a promise hop costs more than the edge callback
 * itself, spec §10). Completions that are already queued are handled in a
 * plain loop, not by recursion.
 */
import { COMPLETION_SIZE } from "../../core/constants.js";
import { EINPROGRESS, errnoName } from "../../core/errno.js";
import { readI64 } from "../../core/abi.js";
import type { Task } from "../../core/task.js";

export type CompletionHandler = (userData: number, result: number, opcode: number, flags: number) => void;

export class IoLoop {
  readonly port: number;
  private readonly task: Task;
  private readonly cqes: number;
  private readonly max: number;
  private readonly handler: CompletionHandler;
  private readonly onWake: (n: number) => void;
  private readonly log: (m: string) => void;
  private readonly watch: boolean;
  private running = false;
  /** Completions handled so far. */
  handled = 0;

  constructor(task: Task, port: number, max: number, handler: CompletionHandler, log: (m: string) => void, watch = false) {
    this.task = task;
    this.watch = watch;
    this.port = port;
    this.max = max;
    this.cqes = task.alloc(COMPLETION_SIZE * max);
    this.handler = handler;
    this.log = log;
    this.onWake = watch
      ? (n: number): void => {
          if (this.running) this.deliver(n);
        }
      : (n: number): void => {
          if (!this.running) return;
          if (this.deliver(n)) this.wait();
        };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    if (!this.watch) {
      this.wait();
      return;
    }
    const r = this.task.sys.io_watch(this.port, this.cqes, this.max, this.onWake);
    if (r < 0) {
      this.running = false;
      this.log(`${this.task.name}: io_watch failed: ${errnoName(r)}`);
    }
  }

  stop(): void {
    if (this.running && this.watch && !this.task.exited) this.task.sys.io_unwatch(this.port);
    this.running = false;
  }

  private wait(): void {
    const sys = this.task.sys;
    while (this.running) {
      const n = sys.io_wait_cb(this.port, this.cqes, this.max, 1, 0, this.onWake);
      if (n === -EINPROGRESS) return;
      if (!this.deliver(n)) return;
    }
  }

  /** Hands `n` reaped completions to the handler; false when the wait itself failed. */
  private deliver(n: number): boolean {
    if (n < 0) {
      // -EBADF once the task exits and its port is closed: the loop ends
      this.running = false;
      if (!this.task.exited) this.log(`${this.task.name}: ${this.watch ? "io_watch" : "io_wait_cb"} failed: ${errnoName(n)}`);
      return false;
    }
    const view = this.task.view;
    for (let i = 0; i < n && this.running; i++) {
      const c = this.cqes + COMPLETION_SIZE * i;
      this.handled++;
      this.handler(view.getUint32(c, true), readI64(view, c + 8), view.getUint32(c + 20, true), view.getUint32(c + 16, true));
    }
    return true;
  }
}
