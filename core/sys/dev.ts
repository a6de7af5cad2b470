/** irq_create and open (spec §3): filled in by the devices layer. */
import { ENOSYS } from "../errno.js";
import type { Task } from "../task.js";

export function irq_create(_task: Task, _line: unknown, _flags: unknown, _periodNs?: unknown): number {
  return -ENOSYS;
}

export function open(_task: Task, _path: unknown, _flags?: unknown): number {
  return -ENOSYS;
}
