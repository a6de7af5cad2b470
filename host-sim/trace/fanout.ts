/** Fans one kernel's tracer hook out to several tracers (a trace file and a summary, say). */
import type { Op } from "../../core/op.js";
import type { Task } from "../../core/task.js";
import type { KernelTracer } from "../../core/trace.js";

export class FanoutTracer implements KernelTracer {
  constructor(readonly tracers: KernelTracer[]) {}
  syscall(task: Task, name: string, args: readonly unknown[], result: unknown): void {
    for (const t of this.tracers) t.syscall(task, name, args, result);
  }
  submit(op: Op): void {
    for (const t of this.tracers) t.submit(op);
  }
  complete(op: Op): void {
    for (const t of this.tracers) t.complete(op);
  }
  reap(op: Op): void {
    for (const t of this.tracers) t.reap(op);
  }
  irq(line: number, now: number, level: number): void {
    for (const t of this.tracers) t.irq(line, now, level);
  }
}
