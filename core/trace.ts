/**
 * Kernel tracer hook: an optional observer of syscalls, completions, reaps
 * and interrupts (the simulator's trace writers implement it). When
 * `kernel.tracer` is null, tracing costs one null check per event.
 */
import type { Op } from "./op.js";
import type { Task } from "./task.js";

export interface KernelTracer {
  syscall(task: Task, name: string, args: readonly unknown[], result: unknown): void;
  submit(op: Op): void;
  complete(op: Op): void;
  reap(op: Op): void;
  irq(line: number, now: number, level: number): void;
}
