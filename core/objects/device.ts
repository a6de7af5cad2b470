/**
 * DeviceStream: the object behind an fd from `open("/dev/uartN" | "/dev/spiN")`
 * (spec §3 open, §4.3-4.4, §9), and DeviceTable: the kernel's view of the
 * board's devices and claimed IRQ lines.
 *
 * Touched by: open (a new stream per call), dup and fd passing (share it),
 * OP_READ / OP_WRITE / OP_TRANSFER (submitted through it), close and exit.
 *
 * Guarantees:
 * - The device (its receive buffer, its queues, the bus) belongs to the
 *   board, not to a stream: streams are views on it, and reads, writes and
 *   transfers are served in order across all of them.
 * - Closing the last reference to a stream completes that stream's own
 *   in-flight reads, writes and transfers -ECANCELED, in submission order,
 *   all of them before what they held is released (the close is one cancel
 *   cascade, Kernel.hold): a cancelled read's bytes then serve only readers
 *   of other streams, and a freed bus or transmitter starts no transfer of
 *   this one. Other streams on the same device are untouched. Bytes
 *   buffered on the device stay there for the next reader.
 * - A stream opened with OPEN_TTY holds its UART in terminal mode
 *   (objects/tty.ts) from its open to its last close; its own reads and
 *   writes are cancelled before the device leaves that mode.
 * - Device objects are not kernel objects: they live as long as the kernel,
 *   so `liveObjects` counts only streams and lines.
 */
import { ECANCELED } from "../errno.js";
import { IRQ_TIMER_BASE } from "../constants.js";
import type { AlarmBackend, GpioBackend } from "../devices.js";
import type { Kernel } from "../kernel.js";
import type { IrqLine } from "./irq.js";
import { KernelObject, KIND_DEVICE } from "./object.js";
import { SpiBus } from "./spi.js";
import { UartDevice } from "./uart.js";

export type Device = UartDevice | SpiBus;

export class DeviceStream extends KernelObject {
  readonly dev: Device;
  /** Opened with OPEN_TTY: its device is in terminal mode while this stream is open. */
  readonly tty: boolean;

  constructor(kernel: Kernel, dev: Device, tty = false) {
    super(kernel, KIND_DEVICE);
    this.dev = dev;
    this.tty = tty;
    if (tty) (dev as UartDevice).openTty();
  }

  get path(): string {
    return this.dev.path;
  }

  protected onLastClose(): void {
    this.dev.cancelStream(this, -ECANCELED);
    if (this.tty) (this.dev as UartDevice).closeTty(this.kernel.now());
  }
}

export class DeviceTable {
  readonly uarts: UartDevice[] = [];
  readonly spis: SpiBus[] = [];
  readonly gpio: GpioBackend | null;
  /** Timer IRQ lines available: IRQ_TIMER_BASE + 0 .. timers-1. */
  readonly timers: number;
  /** Hardware alarms for timer lines, if the platform has them. */
  readonly alarms: AlarmBackend | null;
  /** Claimed IRQ lines by line number. */
  readonly lines = new Map<number, IrqLine>();
  /** Passed to each line so closing it frees its number (one function, not one per line). */
  readonly releaseLine: (line: IrqLine) => void;

  constructor(kernel: Kernel) {
    const d = kernel.platform.devices;
    this.gpio = d?.gpio ?? null;
    this.alarms = d?.alarms ?? null;
    const t = d?.timers ?? 0;
    this.timers = Number.isInteger(t) && t > 0 ? t : 0;
    if (d?.serial) for (const b of d.serial) this.uarts.push(new UartDevice(kernel, b));
    if (d?.spi) for (const b of d.spi) this.spis.push(new SpiBus(kernel, b));
    const lines = this.lines;
    this.releaseLine = (line) => {
      if (lines.get(line.line) === line) lines.delete(line.line);
      if (!line.isTimer && this.gpio !== null) this.gpio.unwatch(line.line);
      else if (line.onAlarm && this.alarms !== null) this.alarms.stop(line.line - IRQ_TIMER_BASE);
    };
  }

  /** The device at `path`, or null. */
  find(path: string): Device | null {
    for (const u of this.uarts) if (u.path === path) return u;
    for (const s of this.spis) if (s.path === path) return s;
    return null;
  }

  /** Whether `pin` is a GPIO pin of the board. */
  isPin(pin: unknown): pin is number {
    return this.gpio !== null && typeof pin === "number" && Number.isInteger(pin) && pin >= 0 && pin < this.gpio.pins;
  }
}
