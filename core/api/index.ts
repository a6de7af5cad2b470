/**
 * ioport/api — the ergonomic layer over the raw syscalls: `Port` (builders,
 * plain completions, async iteration, the allocation-free callback driver
 * loop), `Message`, `IoError`, and small helpers. ES2022, no host globals:
 * it runs in XS like the rest of core/.
 */
import { check } from "./errors.js";
import type { Task } from "../task.js";

export { IoError, check, checked } from "./errors.js";
export { Message } from "./message.js";
export { Port, CompletionView, type Completion, type PortOptions, type DriveOptions, type UserData } from "./port.js";

/**
 * Creates a channel in `task` (ipc_create); throws IoError on failure.
 * `scratch` is 8 bytes of the task's memory for the two fds (default: a
 * fresh task.alloc(8)).
 */
export function createChannel(task: Task, capacity: number, scratch?: number): { send: number; recv: number } {
  const out = scratch ?? task.alloc(8);
  check(task.sys.ipc_create(out, capacity, 0), "ipc_create");
  return { send: task.view.getInt32(out, true), recv: task.view.getInt32(out + 4, true) };
}

/** Creates a notify object (notify_create); throws IoError on failure. */
export function createNotify(task: Task): number {
  return check(task.sys.notify_create(0), "notify_create");
}
