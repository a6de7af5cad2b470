/** Channels, notify objects and the service registry (spec §3): filled in by the IPC layer. */
import { ENOSYS } from "../errno.js";
import type { Task } from "../task.js";

export function ipc_create(_task: Task, _fdsOut: unknown, _capacity: unknown, _flags?: unknown): number {
  return -ENOSYS;
}
export function ipc_send(_task: Task, _fd: unknown, _msg: unknown, _flags?: unknown): Promise<number> {
  return Promise.resolve(-ENOSYS);
}
export function ipc_recv(_task: Task, _fd: unknown, _msg: unknown, _flags?: unknown): Promise<number> {
  return Promise.resolve(-ENOSYS);
}
export function notify_create(_task: Task, _flags?: unknown): number {
  return -ENOSYS;
}
export function notify(_task: Task, _fd: unknown): number {
  return -ENOSYS;
}
export function svc_register(_task: Task, _name: unknown, _fd: unknown): number {
  return -ENOSYS;
}
export function svc_lookup(_task: Task, _name: unknown): number {
  return -ENOSYS;
}
export function svc_unregister(_task: Task, _name: unknown): number {
  return -ENOSYS;
}
