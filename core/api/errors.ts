/**
 * Typed errors of the ergonomic API. The raw syscalls return -errno and
 * never throw; the API turns a failed call into an `IoError` whose `name` is
 * the errno's name ("EBADF") and whose `errno` is its positive number. The
 * message says the call and what the errno means, not the name again, so
 * that the printed error reads `EBADF: io_wait: bad file descriptor (errno 9)`.
 */
import { EAGAIN, EBADF, EBUSY, ECANCELED, EFAULT, EINPROGRESS, EINVAL, EMFILE, ENODEV, ENOENT, ENOMEM, ENOSYS, EOVERFLOW, EPERM, EPIPE, ETIME, errnoName } from "../errno.js";

/** What each errno means here (spec §2's meanings, in a few words). */
const MEANINGS: Readonly<Record<number, string>> = {
  [EPERM]: "not permitted",
  [ENOENT]: "no such object",
  [EBADF]: "bad file descriptor",
  [EAGAIN]: "try again",
  [ENOMEM]: "out of memory",
  [EFAULT]: "bad address",
  [EBUSY]: "busy",
  [ENODEV]: "no such device",
  [EINVAL]: "invalid argument",
  [EMFILE]: "too many open fds",
  [EPIPE]: "peer closed",
  [ENOSYS]: "not supported",
  [ETIME]: "timed out",
  [EOVERFLOW]: "overflow",
  [EINPROGRESS]: "in progress",
  [ECANCELED]: "canceled",
};

function meaning(e: number): string {
  return `${MEANINGS[e] ?? errnoName(e)} (errno ${e})`;
}

export class IoError extends Error {
  /** Positive errno, e.g. 9 for EBADF. */
  readonly errno: number;
  /** The call that failed ("io_submit", "ipc_send", ...), or "" for a completion. */
  readonly syscall: string;

  constructor(errno: number, syscall = "") {
    const e = errno < 0 ? -errno : errno;
    super(syscall === "" ? meaning(e) : `${syscall}: ${meaning(e)}`);
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
