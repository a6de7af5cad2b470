/**
 * Every constant the contract names (spec §2-§4): syscall numbers (kept so
 * traces and docs can name them; in JS a syscall is a method call), opcodes,
 * flags and binary layout sizes.
 */
export const SYS_IO_CREATE = 501;
export const SYS_IO_SUBMIT = 502;
export const SYS_IO_WAIT = 503;
export const SYS_IRQ_CREATE = 504;
export const SYS_IPC_CREATE = 505;
export const SYS_IPC_SEND = 506;
export const SYS_IPC_RECV = 507;
export const SYS_NOTIFY_CREATE = 509;
export const SYS_NOTIFY = 510;
export const SYS_SVC_REGISTER = 513;
export const SYS_SVC_LOOKUP = 514;

export const OP_NOP = 0;
export const OP_TIMEOUT = 1;
export const OP_READ = 2;
export const OP_WRITE = 3;
export const OP_IRQ_WAIT = 4;
export const OP_IPC_SEND = 5;
export const OP_IPC_RECV = 6;
export const OP_RING_WAIT = 7;
/** ioport extension (docs/spec.md §4.10): full-duplex SPI transfer in place. */
export const OP_TRANSFER = 8;

export const IRQ_RISING = 1;
export const IRQ_FALLING = 2;
export const IRQ_PERIODIC = 4;
export const IRQ_ONESHOT = 8;
export const IRQ_TIMER_BASE = 0x100;

export const IPC_NONBLOCK = 1;

/**
 * open() flag (ioport extension, docs/spec.md §4.12): the UART is a terminal
 * while the stream is open: the kernel edits and echoes typed lines as the
 * bytes arrive, and reads return whole lines.
 */
export const OPEN_TTY = 1;

/**
 * Submission flag (ioport extension, docs/spec.md §4.11): an OP_IRQ_WAIT arm
 * that stays armed and posts a completion for every batch of interrupts.
 */
export const IOSQE_MULTISHOT = 1;
/** Completion flag: the multishot arm that posted this is still armed. */
export const IOCQE_F_MORE = 1;

export const SUBMISSION_SIZE = 48;
export const COMPLETION_SIZE = 24;
export const IPC_MESSAGE_SIZE = 48;
export const IRQ_EVENT_SIZE = 16;
export const IPC_MAX_FDS = 4;

export const MAX_FDS = 64;
export const DEFAULT_CQ_ENTRIES = 64;
export const SVC_NAME_MAX = 128;
