/**
 * Task: the analogue of a process (spec §1). It has a 64-entry fd table
 * (lowest free fd first), an address space — one ArrayBuffer, every pointer
 * argument is a byte offset into it, 0 is NULL — a bump allocator over it,
 * and `sys`, its syscalls.
 *
 * Guarantees: `exit()` is a close of every fd in ascending order with full
 * close semantics, not a shortcut, as one cancel cascade (Kernel.hold);
 * after it, syscalls return -EPERM.
 */
import { MAX_FDS } from "./constants.js";
import type { Kernel } from "./kernel.js";
import type { KernelObject } from "./objects/object.js";
import { Syscalls } from "./sys/index.js";

export interface SpawnOptions {
  /** Size of the task's address space in bytes (default 64 KiB). */
  memoryBytes?: number;
  /** A name for traces and diagnostics. */
  name?: string;
}

export class Task {
  // hot fields first: XS searches an object's fields in declaration order
  /** The same words as `u32`, signed: XS stores into an Int32Array faster, and the bits are the same. */
  readonly i32: Int32Array;
  /**
   * The task's memory as u32 words, for the hot paths: an indexed load costs
   * XS less than a DataView call, and the ABI's layouts are naturally
   * aligned (the kernel checks the host is little-endian).
   */
  readonly u32: Uint32Array;
  /** The same memory as 8-byte words (for storing two zero words at once: +0 is all zero bits). */
  readonly f64: Float64Array;
  exited = false;
  /** memory.byteLength, as a plain field: reading it through the typed array is a native getter call in XS. */
  readonly size: number;
  readonly fds: (KernelObject | null)[] = new Array<KernelObject | null>(MAX_FDS).fill(null);
  readonly memory: Uint8Array;
  readonly view: DataView;
  readonly kernel: Kernel;
  readonly id: number;
  readonly name: string;
  readonly sys: Syscalls;
  private brk = 8;

  constructor(kernel: Kernel, id: number, options: SpawnOptions) {
    const bytes = options.memoryBytes ?? 64 * 1024;
    if (!Number.isInteger(bytes) || bytes < 16 || bytes > 0x40000000) {
      throw new RangeError(`ioport: memoryBytes must be an integer from 16 to 2^30, got ${String(bytes)}`);
    }
    this.kernel = kernel;
    this.id = id;
    this.name = options.name ?? `task${id}`;
    const buf = new ArrayBuffer(bytes);
    this.memory = new Uint8Array(buf);
    this.size = bytes;
    this.view = new DataView(buf);
    this.u32 = new Uint32Array(buf, 0, bytes >>> 2);
    this.i32 = new Int32Array(buf, 0, bytes >>> 2);
    this.f64 = new Float64Array(buf, 0, bytes >>> 3);
    this.sys = new Syscalls(this);
  }

  /**
   * Bump-allocates `bytes` of this task's memory aligned to `align`; never
   * returns 0. Throws a RangeError naming the sizes when memory runs out
   * (spawn with a larger `memoryBytes`).
   */
  alloc(bytes: number, align = 8): number {
    if (!Number.isInteger(bytes) || bytes < 0) throw new RangeError(`ioport: alloc(bytes) needs a non-negative integer, got ${String(bytes)}`);
    if (!Number.isInteger(align) || align < 1 || (align & (align - 1)) !== 0) {
      throw new RangeError(`ioport: alloc align must be a power of two, got ${String(align)}`);
    }
    const addr = (this.brk + align - 1) & ~(align - 1);
    if (addr + bytes > this.memory.byteLength) {
      throw new RangeError(
        `ioport: task ${this.name} is out of memory: alloc(${bytes}) at ${addr} exceeds memoryBytes ${this.memory.byteLength}; spawn it with a larger memoryBytes`,
      );
    }
    this.brk = addr + (bytes === 0 ? 1 : bytes);
    return addr;
  }

  /** Whether `(addr, len)` is a valid range of this task's memory (spec §1). */
  validRange(addr: number, len: number): boolean {
    // Number.isInteger is the type check too (no typeof string literal: see core/sys/args.ts)
    return (
      Number.isInteger(addr) &&
      addr > 0 &&
      len >= 0 &&
      addr + len <= this.size
    );
  }

  /** The object behind `fd`, or null. */
  get(fd: number): KernelObject | null {
    if (!Number.isInteger(fd) || fd < 0 || fd >= MAX_FDS) return null;
    return this.fds[fd] ?? null;
  }

  /** Installs one reference to `obj` at the lowest free fd; -1 when full. */
  install(obj: KernelObject): number {
    const fds = this.fds;
    for (let i = 0; i < MAX_FDS; i++) {
      if (fds[i] === null) {
        fds[i] = obj.ref();
        return i;
      }
    }
    return -1;
  }

  /** Number of free fd slots. */
  freeFds(): number {
    let n = 0;
    for (let i = 0; i < MAX_FDS; i++) if (this.fds[i] === null) n++;
    return n;
  }

  /** Removes `fd` from the table and drops its reference; false if not open. */
  closeFd(fd: number): boolean {
    const obj = this.get(fd);
    if (obj === null) return false;
    this.fds[fd] = null;
    obj.unref();
    return true;
  }

  /** Closes every fd in ascending order with full close semantics. */
  exit(): void {
    if (this.exited) return;
    const k = this.kernel;
    // the exit hooks may touch any port: native lanes are taken back first (core/objects/lane.ts)
    if (k.lanes !== 0) k.revokeLanes();
    k.enter();
    // one cancel cascade for the whole exit: every op of every object it
    // closes is cancelled before a device serves what they gave back
    k.hold();
    try {
      this.exited = true;
      for (const h of k.exitHooks) h(this);
      for (let fd = 0; fd < MAX_FDS; fd++) this.closeFd(fd);
      k.taskExited(this);
    } finally {
      k.release();
      k.leave();
    }
  }
}
