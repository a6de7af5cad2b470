/** close and dup (spec §3). */
import { EBADF, EMFILE } from "../errno.js";
import type { Task } from "../task.js";

export function close(task: Task, fd: unknown): number {
  return task.closeFd(fd as number) ? 0 : -EBADF;
}

export function dup(task: Task, fd: unknown): number {
  const obj = task.get(fd as number);
  if (obj === null) return -EBADF;
  const nfd = task.install(obj);
  return nfd < 0 ? -EMFILE : nfd;
}
