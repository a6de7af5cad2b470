/**
 * The Platform for Moddable XS on ESP32 and RP2040 (core/platform.ts): the
 * composition of the drivers in this folder for one board.
 *
 * - Clock: our native microsecond counter (`ioport/clock`,
 *   drivers/moddable/clock/: `time_us_64()` on the Pico,
 *   `esp_timer_get_time()` on ESP32) × 1000 → ns. Monotonic; exact to 2^53
 *   ns (about 104 days of uptime).
 * - Timers: ModdableTimers, one host timer for every kernel timer.
 * - Devices from the board file: GPIO (CaptureGpio, the ISR capture, or
 *   DigitalGpio, ECMA-419, where the board asks for it), every UART with pins
 *   (ModdableSerial), every SPI bus with pins (ModdableSpi), and the
 *   board's timer IRQ lines: on hardware alarms (ModdableAlarms) when the
 *   firmware passes `irqAlarm`, else run by the kernel on the timers above.
 *
 * Everything comes in as parameters — the IO classes, `Timer`, the clock
 * function — so this module imports nothing from Moddable and keeps no
 * module-level state: Moddable freezes what a preloaded module's top level
 * made, and host tests pass fakes. The firmware's main.ts passes the real
 * `embedded:io/*` classes.
 */
import type { BoardSpec } from "../../core/board.js";
import type { PlatformDevices, SerialBackend, SpiBackend } from "../../core/devices.js";
import type { Platform, TimerCallback } from "../../core/platform.js";
import { ModdableAlarms, type IrqAlarmClass } from "./alarms.js";
import { CaptureGpio, type IrqCaptureClass } from "./capture.js";
import { DigitalGpio } from "./digital.js";
import type { IoClasses, TimerApi } from "./io-types.js";
import { ModdableSerial } from "./serial.js";
import { ModdableSpi } from "./spi.js";
import { promiseWake } from "./step.js";
import { ModdableTimers } from "./timers.js";

export interface ModdablePlatformOptions<T> {
  board: BoardSpec;
  /** The ECMA-419 classes: `Digital`, `Serial`, `SPI` from `embedded:io/*`. */
  io: IoClasses;
  /** `Timer` from Moddable's `timer` module. */
  Timer: TimerApi<T>;
  /** Microseconds since boot: `microseconds` from `ioport/clock`. */
  microseconds: () => number;
  /**
   * `IrqCapture` from `ioport/irqcapture`: GPIO edges counted and
   * timestamped in the ISR. Used unless the board asks for
   * `moddable.irq: "digital"`; absent, GPIO interrupts go through ECMA-419
   * Digital (which merges edges).
   */
  irqCapture?: IrqCaptureClass;
  /**
   * `IrqAlarm` from `ioport/irqcapture`: timer lines on hardware alarms,
   * timestamped in the alarm's ISR (alarms.ts). Absent, or for a line no
   * alarm can take, the kernel runs timer lines on `Timer`.
   */
  irqAlarm?: IrqAlarmClass;
  /** Diagnostics (e.g. `trace`). */
  log?: (message: string) => void;
  /**
   * Ends the main loop's sleep so it runs a timer scheduled from a message
   * callback (docs/decisions.md, "Waking Moddable's main loop"). Default: a
   * resolved promise's job (promiseWake in step.ts).
   */
  wake?: () => void;
}

export class ModdablePlatform<T> implements Platform {
  readonly devices: PlatformDevices;
  readonly gpio: DigitalGpio | CaptureGpio;
  /** Timer lines' hardware alarms, when the firmware gave `irqAlarm`. */
  readonly alarms: ModdableAlarms | null;
  readonly serial: ModdableSerial<T>[] = [];
  readonly spi: ModdableSpi<T>[] = [];
  readonly timers: ModdableTimers<T>;
  private readonly microseconds: () => number;
  private readonly logFn: ((message: string) => void) | undefined;

  constructor(options: ModdablePlatformOptions<T>) {
    const { board, io, Timer } = options;
    this.microseconds = options.microseconds;
    this.logFn = options.log;
    const clock = (): number => this.now();
    const wake = options.wake ?? promiseWake();
    this.timers = new ModdableTimers(Timer, clock, wake);
    const pulls: Record<number, "up" | "down" | "none"> = {};
    if (board.button !== undefined && board.buttonWiring !== undefined) pulls[board.button] = board.buttonWiring.pull;
    const digital = new DigitalGpio(io.Digital, board.gpio.pins, clock, { pulls, log: (m) => this.log(m) });
    this.gpio =
      options.irqCapture !== undefined && board.moddable.irq !== "digital"
        ? new CaptureGpio(options.irqCapture, digital, options.microseconds, pulls, (m) => this.log(m))
        : digital;
    const serial: SerialBackend[] = [];
    if (io.Serial !== undefined) {
      for (const u of board.uart) {
        if (u.port === undefined) continue;
        const s = new ModdableSerial(io.Serial, u, Timer, clock, wake);
        this.serial.push(s);
        serial.push(s);
      }
    }
    const spi: SpiBackend[] = [];
    if (io.SPI !== undefined) {
      for (const b of board.spi) {
        if (b.clock === undefined) continue;
        const s = new ModdableSpi(io.SPI, b, Timer, clock, wake);
        this.spi.push(s);
        spi.push(s);
      }
    }
    this.alarms = options.irqAlarm !== undefined ? new ModdableAlarms(options.irqAlarm, options.microseconds, (m) => this.log(m)) : null;
    this.devices = { gpio: this.gpio, timers: board.timers, serial, spi, ...(this.alarms !== null ? { alarms: this.alarms } : {}) };
  }

  now(): number {
    return this.microseconds() * 1000;
  }

  schedule(atNs: number, cb: TimerCallback, arg: unknown): number {
    return this.timers.schedule(atNs, cb, arg);
  }

  cancel(handle: number): void {
    this.timers.cancel(handle);
  }

  log(message: string): void {
    if (this.logFn) this.logFn(message);
  }
}

export type { IoClasses, TimerApi } from "./io-types.js";
