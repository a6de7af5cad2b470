/**
 * irq_create and open (spec §3, §9), and the GPIO output extension
 * gpio_write / gpio_read (docs/decisions.md). Check orders: irq_create
 * -ENODEV, -EINVAL, -EBUSY, -EMFILE; open -ENOENT, -EINVAL, -EMFILE.
 */
import { IRQ_FALLING, IRQ_ONESHOT, IRQ_PERIODIC, IRQ_RISING, IRQ_TIMER_BASE, OPEN_TTY } from "../constants.js";
import { EBUSY, EINVAL, EMFILE, ENODEV, ENOENT } from "../errno.js";
import { DeviceStream } from "../objects/device.js";
import { IrqLine } from "../objects/irq.js";
import { UartDevice } from "../objects/uart.js";
import type { Task } from "../task.js";

/** Parses a timer period: a positive safe integer number or bigint of ns; -1 when invalid. */
function parsePeriod(v: unknown): number {
  if (typeof v === "number") return Number.isSafeInteger(v) && v > 0 ? v : -1;
  if (typeof v === "bigint") return v > 0n && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : -1;
  return -1;
}

export function irq_create(task: Task, line: unknown, flags: unknown, periodNs?: unknown): number {
  const kernel = task.kernel;
  const dev = kernel.dev;
  const isPin = dev.isPin(line);
  const isTimer =
    !isPin &&
    typeof line === "number" &&
    Number.isInteger(line) &&
    line >= IRQ_TIMER_BASE &&
    line < IRQ_TIMER_BASE + dev.timers;
  if (!isPin && !isTimer) return -ENODEV;
  const n = line as number;
  let period = 0;
  if (isPin) {
    if (flags !== IRQ_RISING && flags !== IRQ_FALLING && flags !== (IRQ_RISING | IRQ_FALLING)) return -EINVAL;
    // a GPIO line has no period: a non-zero one is a mistake worth reporting
    if (periodNs !== undefined && periodNs !== 0 && periodNs !== 0n) return -EINVAL;
  } else {
    if (flags !== IRQ_PERIODIC && flags !== IRQ_ONESHOT) return -EINVAL;
    period = parsePeriod(periodNs);
    if (period < 0) return -EINVAL;
  }
  if (dev.lines.has(n)) return -EBUSY;
  if (task.freeFds() === 0) return -EMFILE;
  const obj = new IrqLine(kernel, n, flags, period, isTimer, dev.releaseLine);
  dev.lines.set(n, obj);
  if (isPin) (dev.gpio as NonNullable<typeof dev.gpio>).watch(n, flags, obj);
  return task.install(obj);
}

export function open(task: Task, path: unknown, flags?: unknown): number {
  const kernel = task.kernel;
  const d = typeof path === "string" ? kernel.dev.find(path) : null;
  if (d === null) return -ENOENT;
  // OPEN_TTY (docs/spec.md §4.12) exists for UARTs only
  const tty = flags === OPEN_TTY;
  if (flags !== undefined && flags !== 0 && !(tty && d instanceof UartDevice)) return -EINVAL;
  if (task.freeFds() === 0) return -EMFILE;
  return task.install(new DeviceStream(kernel, d, tty));
}

/** ioport extension: drives `pin` as an output. 0, -ENODEV (no such pin), -EINVAL (level not 0/1). */
export function gpio_write(task: Task, pin: unknown, level: unknown): number {
  const dev = task.kernel.dev;
  if (!dev.isPin(pin)) return -ENODEV;
  if (level !== 0 && level !== 1 && level !== true && level !== false) return -EINVAL;
  (dev.gpio as NonNullable<typeof dev.gpio>).write(pin, level === 1 || level === true ? 1 : 0);
  return 0;
}

/** ioport extension: the level `pin` reads (0 or 1), or -ENODEV. */
export function gpio_read(task: Task, pin: unknown): number {
  const dev = task.kernel.dev;
  if (!dev.isPin(pin)) return -ENODEV;
  return (dev.gpio as NonNullable<typeof dev.gpio>).read(pin) ? 1 : 0;
}
