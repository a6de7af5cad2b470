/**
 * SummaryTracer: counts per task — syscalls by name, completions by opcode,
 * errors by errno — for the end-of-run summary of `ioport sim`.
 */
import { errnoName } from "../../core/errno.js";
import type { Op } from "../../core/op.js";
import type { Task } from "../../core/task.js";
import type { KernelTracer } from "../../core/trace.js";
import { opcodeName } from "./perfetto.js";

export interface TaskSummary {
  task: string;
  syscalls: Record<string, number>;
  syscallErrors: Record<string, number>;
  completions: Record<string, number>;
  completionErrors: Record<string, number>;
}

export class SummaryTracer implements KernelTracer {
  private readonly byTask = new Map<number, TaskSummary>();
  interrupts = 0;

  private of(task: Task | null): TaskSummary {
    const id = task?.id ?? 0;
    let s = this.byTask.get(id);
    if (s === undefined) {
      s = { task: task?.name ?? "?", syscalls: {}, syscallErrors: {}, completions: {}, completionErrors: {} };
      this.byTask.set(id, s);
    }
    return s;
  }

  syscall(task: Task, name: string, _args: readonly unknown[], result: unknown): void {
    const s = this.of(task);
    s.syscalls[name] = (s.syscalls[name] ?? 0) + 1;
    // io_wait_cb's -EINPROGRESS is "callback armed", not an error
    if (typeof result === "number" && result < 0 && !(result === -115 && name === "io_wait_cb")) {
      const k = `${name} ${errnoName(result)}`;
      s.syscallErrors[k] = (s.syscallErrors[k] ?? 0) + 1;
    }
  }
  submit(): void {}
  complete(op: Op): void {
    const s = this.of(op.task);
    const name = opcodeName(op.opcode);
    s.completions[name] = (s.completions[name] ?? 0) + 1;
    if (op.result < 0) {
      const k = `${name} ${errnoName(op.result)}`;
      s.completionErrors[k] = (s.completionErrors[k] ?? 0) + 1;
    }
  }
  reap(): void {}
  irq(): void {
    this.interrupts++;
  }

  summaries(): TaskSummary[] {
    return [...this.byTask.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s);
  }
}
