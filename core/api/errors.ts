/**
 * Typed errors of the ergonomic API. The raw syscalls return -errno and
 * never throw; the API turns a failed call into an `IoError` whose `name` is
 * the errno's name ("EBADF") and whose `errno` is its positive number.
 */
import { errnoName } from "../errno.js";

export class IoError extends Error {
  /** Positive errno, e.g. 9 for EBADF. */
  readonly errno: number;
  /** The call that failed ("io_submit", "ipc_send", ...), or "" for a completion. */
  readonly syscall: string;

  constructor(errno: number, syscall = "") {
    const e = errno < 0 ? -errno : errno;
    super(syscall === "" ? `${errnoName(e)} (errno ${e})` : `${syscall}: ${errnoName(e)} (errno ${e})`);
    this.errno = e;
    this.syscall = syscall;
    this.name = errnoName(e);
  }
}

/** Returns `n` when it is >= 0; throws an IoError naming the errno otherwise. */
export function check(n: number, syscall = ""): number {
  if (n < 0) throw new IoError(n, syscall);
  return n;
}

/** The Promise form of `check`, for the blocking syscalls. */
export async function checked(p: Promise<number>, syscall = ""): Promise<number> {
  return check(await p, syscall);
}
