/**
 * Errno values, Linux's numbers (spec §2). Syscalls return `-errno`;
 * completions carry `-errno` in `result`.
 */
export const EPERM = 1;
export const ENOENT = 2;
export const EBADF = 9;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EFAULT = 14;
export const EBUSY = 16;
export const ENODEV = 19;
export const EINVAL = 22;
export const EMFILE = 24;
export const EPIPE = 32;
export const ENOSYS = 38;
export const ETIME = 62;
export const EOVERFLOW = 75;
export const EINPROGRESS = 115;
export const ECANCELED = 125;

const NAMES: Readonly<Record<number, string>> = {
  [EPERM]: "EPERM",
  [ENOENT]: "ENOENT",
  [EBADF]: "EBADF",
  [EAGAIN]: "EAGAIN",
  [ENOMEM]: "ENOMEM",
  [EFAULT]: "EFAULT",
  [EBUSY]: "EBUSY",
  [ENODEV]: "ENODEV",
  [EINVAL]: "EINVAL",
  [EMFILE]: "EMFILE",
  [EPIPE]: "EPIPE",
  [ENOSYS]: "ENOSYS",
  [ETIME]: "ETIME",
  [EOVERFLOW]: "EOVERFLOW",
  [EINPROGRESS]: "EINPROGRESS",
  [ECANCELED]: "ECANCELED",
};

/** Name of an errno (positive or negative), e.g. `errnoName(-9) === "EBADF"`. */
export function errnoName(errno: number): string {
  const e = errno < 0 ? -errno : errno;
  return NAMES[e] ?? `E#${e}`;
}
