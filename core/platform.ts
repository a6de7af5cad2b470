/**
 * The one interface both sides implement: the Moddable drivers on a board,
 * the simulated devices in the host simulator. The kernel reaches time,
 * timers, device backends and logging only through it, which is what lets
 * `core/` run unchanged in Node and in XS.
 *
 * Timers are `(callback, arg)` pairs so that the kernel can use one
 * persistent function for every timer of a kind and never build a closure
 * per operation. A timer callback is an interrupt-context entry point: it
 * must not re-enter user code (the kernel defers that to its flush).
 */
import type { PlatformDevices } from "./devices.js";

export type TimerCallback = (arg: unknown, now: number) => void;

export interface Platform {
  /** Monotonic clock, nanoseconds, as a JS number. */
  now(): number;
  /**
   * Calls `cb(arg, now)` once, at the first opportunity at or after `atNs`
   * (never early). Timers due at the same time fire in scheduling order.
   * Returns a handle > 0 for `cancel`.
   */
  schedule(atNs: number, cb: TimerCallback, arg: unknown): number;
  /** Cancels a scheduled timer; cancelling a fired or unknown handle is a no-op. */
  cancel(handle: number): void;
  /** Device backends of the board; absent on a platform with no devices. */
  readonly devices?: PlatformDevices;
  /** Diagnostics sink (the kernel never needs it to work). */
  log?(message: string): void;
}
