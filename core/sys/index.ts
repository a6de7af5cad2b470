/**
 * `task.sys`: the syscalls bound to one task (spec §3). Every call enters the
 * kernel, so waiters it satisfies are resolved when it returns, never inside
 * it. Synchronous syscalls return a number, blocking ones a Promise that
 * never rejects for an expected error. A task that has exited gets -EPERM.
 */
import { EPERM } from "../errno.js";
import type { Task } from "../task.js";
import * as dev from "./dev.js";
import * as fd from "./fd.js";
import * as io from "./io.js";
import { io_submit, io_wait_cb } from "./io.js";
import * as ipc from "./ipc.js";

export class Syscalls {
  readonly io_create: (flags: number) => number;
  readonly io_submit: (portFd: number, entriesAddr: number, count: number) => number;
  readonly io_wait: (portFd: number, outAddr: number, max: number, min: number, timeoutNs: number | bigint) => Promise<number>;
  readonly io_wait_cb: (
    portFd: number,
    outAddr: number,
    max: number,
    min: number,
    timeoutNs: number | bigint,
    callback: (n: number) => void,
  ) => number;
  readonly io_watch: (portFd: number, outAddr: number, max: number, callback: (n: number) => void) => number;
  readonly io_unwatch: (portFd: number) => number;
  readonly io_cancel: (portFd: number, userData: bigint | number | readonly [number, number]) => number;
  readonly close: (fd: number) => number;
  readonly dup: (fd: number) => number;
  readonly irq_create: (line: number, flags: number, periodNs?: number | bigint) => number;
  readonly open: (path: string, flags?: number) => number;
  readonly ipc_create: (fdsOutAddr: number, capacity: number, flags?: number) => number;
  readonly ipc_send: (fd: number, msgAddr: number, flags?: number) => Promise<number>;
  readonly ipc_recv: (fd: number, msgAddr: number, flags?: number) => Promise<number>;
  readonly notify_create: (flags?: number) => number;
  readonly notify: (fd: number) => number;
  readonly svc_register: (name: string, fd: number) => number;
  readonly svc_lookup: (name: string) => number;
  readonly svc_unregister: (name: string) => number;
  /** ioport extension: drive a GPIO output pin (docs/decisions.md). */
  readonly gpio_write: (pin: number, level: number | boolean) => number;
  /** ioport extension: read a GPIO pin's level. */
  readonly gpio_read: (pin: number) => number;

  constructor(task: Task) {
    const kernel = task.kernel;
    // One wrapper shape for every syscall: exited check, enter/leave, trace.
    function sync<A extends unknown[]>(name: string, f: (t: Task, ...a: A) => number): (...a: A) => number {
      return (...a: A): number => {
        if (task.exited) return -EPERM;
        kernel.enter();
        let r = -EPERM;
        try {
          r = f(task, ...a);
          if (kernel.tracer !== null) kernel.tracer.syscall(task, name, a, r);
        } finally {
          kernel.leave();
        }
        return r;
      };
    }
    function async<A extends unknown[]>(name: string, f: (t: Task, ...a: A) => Promise<number>): (...a: A) => Promise<number> {
      return (...a: A): Promise<number> => {
        if (task.exited) return Promise.resolve(-EPERM);
        kernel.enter();
        let r: Promise<number>;
        try {
          r = f(task, ...a);
          if (kernel.tracer !== null) kernel.tracer.syscall(task, name, a, r);
        } finally {
          kernel.leave();
        }
        return r;
      };
    }
    this.io_create = sync("io_create", io.io_create);
    this.io_cancel = sync("io_cancel", io.io_cancel);
    this.io_watch = sync("io_watch", io.io_watch);
    this.io_unwatch = sync("io_unwatch", io.io_unwatch);
    this.close = sync("close", fd.close);
    this.dup = sync("dup", fd.dup);
    this.irq_create = sync("irq_create", dev.irq_create);
    this.open = sync("open", dev.open);
    this.gpio_write = sync("gpio_write", dev.gpio_write);
    this.gpio_read = sync("gpio_read", dev.gpio_read);
    this.ipc_create = sync("ipc_create", ipc.ipc_create);
    this.ipc_send = async("ipc_send", ipc.ipc_send);
    this.ipc_recv = async("ipc_recv", ipc.ipc_recv);
    this.notify_create = sync("notify_create", ipc.notify_create);
    this.notify = sync("notify", ipc.notify);
    this.svc_register = sync("svc_register", ipc.svc_register);
    this.svc_lookup = sync("svc_lookup", ipc.svc_lookup);
    this.svc_unregister = sync("svc_unregister", ipc.svc_unregister);
    this.io_wait = async("io_wait", io.io_wait);

    // The hot pair is written out so that no rest-argument array is built per
    // call, with kernel.leave() inline (a method call costs XS a walk of the
    // kernel's fields first).
    this.io_submit = (portFd, entriesAddr, count) => {
      if (task.exited) return -EPERM;
      if (kernel.lanes !== 0) kernel.laneEntered();
      kernel.depth++;
      let r = -EPERM;
      try {
        r = io_submit(task, portFd, entriesAddr, count);
        if (kernel.tracer !== null) kernel.tracer.syscall(task, "io_submit", [portFd, entriesAddr, count], r);
      } finally {
        if (--kernel.depth === 0 && !kernel.flushing) {
          if (kernel.wakeCount !== 0) kernel.flush();
          if (kernel.laneDirty) kernel.grantLanes();
        }
      }
      return r;
    };
    this.io_wait_cb = (portFd, outAddr, max, min, timeoutNs, callback) => {
      if (task.exited) return -EPERM;
      if (kernel.lanes !== 0) kernel.laneEntered();
      kernel.depth++;
      let r = -EPERM;
      try {
        r = io_wait_cb(task, portFd, outAddr, max, min, timeoutNs, callback);
        if (kernel.tracer !== null) kernel.tracer.syscall(task, "io_wait_cb", [portFd, outAddr, max, min, timeoutNs], r);
      } finally {
        if (--kernel.depth === 0 && !kernel.flushing) {
          if (kernel.wakeCount !== 0) kernel.flush();
          if (kernel.laneDirty) kernel.grantLanes();
        }
      }
      return r;
    };
  }
}
