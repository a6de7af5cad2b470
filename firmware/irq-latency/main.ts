/**
 * Moddable entry of the interrupt-latency probe (issue 7; docs/hil.md).
 * Wire a jumper from the board's `loopback.out` pin to its `loopback.in` pin
 * (boards/<name>.json), flash, and read the console with `ioport hil --port`.
 *
 * - the edge: the probe drives `loopback.out` through a raw ECMA-419
 *   `Digital` output (the same for every mode);
 * - mode (a): a raw `embedded:io/digital` input with `onReadable` on
 *   `loopback.in` — the baseline ioport is built on;
 * - modes (b)/(c): the ioport kernel on the Moddable Platform
 *   (drivers/moddable), OP_IRQ_WAIT on `loopback.in`, reaped by
 *   `io_wait_cb` (b) or by `io_wait` and `await` (c);
 * - mode (d): the interrupt fast path, one multishot OP_IRQ_WAIT arm
 *   (IOSQE_MULTISHOT) on `loopback.in` reaped by `io_watch`;
 * - the clock: `ioport/clock` (`time_us_64()` on the Pico,
 *   `esp_timer_get_time()` on ESP32), read on the board: USB-serial
 *   buffering delays the lines, never the timestamps.
 * Lines go to the console with `trace` (USB CDC on the Pico) and to the
 * board's console UART (console.ts: UART0 on the Pico), held until the
 * end of the run: printing while measuring disturbs the measurement (on the
 * emulated Pico a line printed in the settle gap made the next raw edge
 * arrive after ~450 µs instead of ~57). The probe runs again and again, a
 * few seconds apart, so `ioport hil` can be started at any time: it reads
 * from the next header to the next end line.
 *
 * MODES (`ioport firmware --app irq-latency --modes a,b,c,d`): with the
 * native interrupt capture (drivers/moddable/irqcapture, the default) the
 * kernel modes never open an ECMA-419 `Digital` on the input, so all four
 * run in one image. With `moddable.irq: "digital"` they cannot on the Pico:
 * Moddable SDK 8.2.3 (modules/io/digital/pico/digitalbank.c) removes the
 * GPIO callback of every pin when an edge-watching `Digital` closes, so
 * after mode (a) no edge arrives; build one mode per image there
 * (`--modes a`, then b, c, d). A stalled mode shows up as `X ... timeout`
 * lines, never as samples.
 *
 * Everything is made inside the default export: nothing mutable at module
 * top level (Moddable freezes it).
 */
import Digital from "embedded:io/digital";
import Serial from "embedded:io/serial";
import Timer from "timer";
import { microseconds } from "ioport/clock";
import IrqCapture, { IrqAlarm } from "ioport/irqcapture";
import board from "ioport:board";
import build from "ioport:build";
import { Kernel } from "../../core/kernel.js";
import { ModdablePlatform } from "../../drivers/moddable/platform.js";
import { UartConsole } from "./console.js";
import { CallbackMode, PromiseMode, WatchMode } from "./kernel-modes.js";
import { ioplLine, Probe, type ModeHooks, type ModeName, type ProbeHost } from "./probe.js";
import { TimerCheck } from "./timer-check.js";

/** Modes per run (see MODES above: `ioport firmware --app irq-latency --modes ...`); samples per mode and run; the pause before the first run (USB enumeration) and between runs. */
const MODES: readonly ModeName[] = build.probeModes;
const SAMPLES = 200;
const START_DELAY_MS = 2000;
const PAUSE_MS = 3000;
/** Periods of the 1 kHz timer line checked before each run (TimerCheck). */
const TIMER_PERIODS = 10_000;

export default function main(): void {
  const lb = board.loopback;
  if (lb === undefined) {
    trace(`irq-latency: board ${board.name} has no "loopback" pins in its board file: nothing to measure\n`);
    return;
  }
  const out = new Digital({ pin: lb.out, mode: Digital.Output });
  out.write(0);

  let input: InstanceType<typeof Digital> | null = null;
  const raw: ModeHooks = {
    start(onEdge) {
      // the probe's onEdge itself, no wrapper (a call more costs ~8 µs here); it ignores Digital's callback arguments
      input = new Digital({ pin: lb.in, mode: Digital.Input, edge: Digital.Rising | Digital.Falling, onReadable: onEdge });
    },
    stop() {
      if (input !== null) input.close();
      input = null;
    },
  };

  const platform = new ModdablePlatform({ board, io: { Digital }, Timer, microseconds, irqCapture: IrqCapture, irqAlarm: IrqAlarm, log: (m: string) => trace(`${m}\n`) });
  const kernel = new Kernel(platform);
  const task = kernel.spawn({ name: "irq-latency", memoryBytes: 1024 });
  // (TimerCheck takes 88 bytes of it)
  const host: ProbeHost = {
    now: microseconds,
    write: (level) => out.write(level ? 1 : 0),
    after: (us, fn) => {
      Timer.set(fn, Math.ceil(us / 1000));
    },
    emit: (line) => {
      held.push(line);
    },
  };
  const held: string[] = [];
  // prints the held lines a few at a time, and goes on once the console has taken them all
  const uart = UartConsole.open(Serial, board);
  const printHeld = (then: () => void): void => {
    const step = (): void => {
      let k = 0;
      while (k < 20 && held.length > 0) {
        const line = held.shift() as string;
        trace(`${line}\n`);
        if (uart !== null) uart.write(line);
        k++;
      }
      if (held.length > 0 || (uart !== null && !uart.idle)) Timer.set(step, 5);
      else then();
    };
    step();
  };
  host.drain = printHeld;
  const hooks = { a: raw, b: new CallbackMode(task, lb.in), c: new PromiseMode(task, lb.in), d: new WatchMode(task, lb.in) };
  let seed = 1;
  const timer = new TimerCheck(task, kernel, TIMER_PERIODS);
  const runOnce = (): void => {
    const probe = new Probe(host, hooks, { board: board.name, samples: SAMPLES, modes: MODES, seed: seed++, clock: "ioport/clock" });
    // the timer line first: its T record must come before the probe's end line
    timer.start(
      (line) => held.push(ioplLine(line)),
      () => probe.start(() => printHeld(() => Timer.set(runOnce, PAUSE_MS))),
    );
  };
  Timer.set(runOnce, START_DELAY_MS);
}
