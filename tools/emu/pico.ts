/**
 * An emulated Raspberry Pi Pico for `ioport emu`: rp2040js's RP2040 with the
 * user's bootrom and a `.uf2` in flash, run by a deterministic loop on the
 * emulator's own clock (no wall-clock timers: one run of the same image and
 * stimulus gives the same emulated times).
 *
 * What the board around the chip does, from the board file:
 * - wires: `loopback.out` drives `loopback.in` (the jumper), and every level
 *   change of `loopback.out` is logged with the emulator's time — the ground
 *   truth for edge times;
 * - the button pin rests at its inactive level (`buttonWiring`);
 * - UART0..n: bytes the firmware sends are logged with their time;
 *   `typeAt` feeds the receiver at a given pace;
 * - USB: with `usb: true` a CDC host is attached (rp2040js's, made to send
 *   OUT packets only when it has bytes, as a real host does: holdIdleOut),
 *   and what the device sends is logged as another console.
 * Emulated time advances 8 ns per cycle (125 MHz, as rp2040js counts), or
 * jumps to the next alarm while the core sleeps (WFI).
 */
import { GPIOPinState, RP2040, USBCDC } from "rp2040js";
import type { BoardSpec } from "../../core/board.js";
import { loadUf2, type Uf2Block } from "./uf2.js";

const FLASH_BASE = 0x10000000;
const CYCLE_NS = 8;

/** rp2040js's SimulationClock (the RP2040's default clock), as far as the run loop uses it. */
interface RunClock {
  readonly nanos: number;
  /** 0 both when an alarm is due now and when none is set: `nextAlarm` tells them apart. */
  readonly nanosToNextAlarm: number;
  readonly nextAlarm: object | null;
  tick(deltaNanos: number): void;
  createAlarm(cb: () => void): { schedule(deltaNanos: number): void; cancel(): void };
}

export interface ConsoleByte {
  ns: number;
  byte: number;
}

export interface PinEdge {
  ns: number;
  level: 0 | 1;
}

export interface EmulatedPicoOptions {
  bootrom: Uint32Array;
  image: readonly Uf2Block[];
  board: BoardSpec;
  /** Attach a USB CDC host (default false). */
  usb?: boolean;
}

export type ConsoleName = "usb" | `uart${number}`;

export class EmulatedPico {
  readonly mcu: RP2040;
  readonly board: BoardSpec;
  /** Bytes each console sent, with their emulated times. */
  readonly out = new Map<ConsoleName, ConsoleByte[]>();
  /** Level changes of `loopback.out` (driven by the firmware), with their emulated times. */
  readonly loopbackEdges: PinEdge[] = [];
  /** Called for every byte a console sends (after it is logged). */
  onByte: ((console: ConsoleName, b: ConsoleByte) => void) | null = null;
  readonly cdc: USBCDC | null;
  private readonly clock: RunClock;
  private stopRequested = false;

  constructor(o: EmulatedPicoOptions) {
    this.board = o.board;
    const mcu = new RP2040();
    this.mcu = mcu;
    this.clock = mcu.clock as unknown as RunClock;
    mcu.logger = { debug() {}, info() {}, warn() {}, error() {} };
    mcu.loadBootrom(o.bootrom); // resets the chip: the core (SP from the bootrom's vector table), and the flash to erased (0xff)
    loadUf2(o.image, mcu.flash, FLASH_BASE);
    // Start at the image's boot stage 2, as the bootrom hands over on a board: rp2040js does not
    // emulate the bootrom's own boot path (it parks core 0 in a WFE), but the image still calls the
    // bootrom's function tables (memcpy, flash, float), so it must be loaded.
    mcu.core.PC = FLASH_BASE;
    for (const u of o.board.uart) {
      if (u.port === undefined || mcu.uart[u.port] === undefined) continue;
      const name: ConsoleName = `uart${u.port}`;
      const log: ConsoleByte[] = [];
      this.out.set(name, log);
      mcu.uart[u.port]!.onByte = (byte) => this.sent(name, log, byte);
    }
    if (o.usb === true) {
      const log: ConsoleByte[] = [];
      this.out.set("usb", log);
      const cdc = new USBCDC(mcu.usbCtrl);
      cdc.onSerialData = (buf) => {
        for (const byte of buf) this.sent("usb", log, byte);
      };
      this.cdc = cdc;
      this.holdIdleOut(cdc);
    } else {
      this.cdc = null;
    }
    const lb = o.board.loopback;
    if (lb !== undefined) {
      const inPin = mcu.gpio[lb.in]!;
      // an undriven pin rests low (the RP2040's pads reset with their pull-downs on), so the output's first low is no edge
      let level: 0 | 1 = 0;
      mcu.gpio[lb.out]!.addListener((state) => {
        if (state !== GPIOPinState.High && state !== GPIOPinState.Low) return; // not driven: the jumper carries nothing
        const now: 0 | 1 = state === GPIOPinState.High ? 1 : 0;
        if (now === level) return;
        level = now;
        this.loopbackEdges.push({ ns: this.now, level });
        inPin.setInputValue(level === 1);
      });
    }
    if (o.board.button !== undefined) {
      const inactive = o.board.buttonWiring?.active === 1 ? 0 : 1;
      mcu.gpio[o.board.button]!.setInputValue(inactive === 1);
    }
  }

  /**
   * Makes rp2040js's CDC host behave as a real one on the bulk OUT endpoint.
   * As shipped (1.4.1), it answers every OUT buffer the device arms at once,
   * with a zero-length packet when it has nothing to send: TinyUSB then takes
   * a transfer-complete interrupt and re-arms, every ~10 µs, for as long as
   * the host is attached. Measured on the demo: that loop took ~2/3 of the
   * core (TinyUSB's IRQ handler, tud_task, FIFO copies) and made every
   * figure with the USB host attached about 3× the UART-only one. A real
   * host issues no OUT transaction when its driver has nothing to write
   * (the device's armed buffer just waits), so the request
   * is held here until the host has bytes (`typeUsb`).
   */
  private holdIdleOut(cdc: USBCDC): void {
    const ctrl = this.mcu.usbCtrl;
    const answer = ctrl.onEndpointRead;
    const dataOut = (): number => (cdc as unknown as { outEndpoint: number }).outEndpoint;
    ctrl.onEndpointRead = (endpoint, size) => {
      if (endpoint === dataOut() && cdc.txFIFO.empty) {
        this.heldOut = { endpoint, size };
        return;
      }
      answer?.(endpoint, size);
    };
    this.answerOut = () => {
      const h = this.heldOut;
      if (h === null || cdc.txFIFO.empty) return;
      this.heldOut = null;
      answer?.(h.endpoint, h.size);
    };
  }

  private heldOut: { endpoint: number; size: number } | null = null;
  private answerOut: () => void = () => {};

  /** The USB host writes `bytes` to the device's CDC console now (needs `usb: true`). */
  typeUsb(bytes: ArrayLike<number>): void {
    const cdc = this.cdc;
    if (cdc === null) throw new Error("typeUsb: no USB host is attached (EmulatedPico({ usb: true }))");
    for (let k = 0; k < bytes.length; k++) cdc.sendSerialByte(bytes[k] as number);
    this.answerOut();
  }

  /** Emulated time, ns since reset. */
  get now(): number {
    return this.clock.nanos;
  }

  private sent(name: ConsoleName, log: ConsoleByte[], byte: number): void {
    const b = { ns: this.now, byte };
    log.push(b);
    this.onByte?.(name, b);
  }

  /** Runs `fn` when the emulated clock reaches `ns` (at once if it has). */
  at(ns: number, fn: () => void): void {
    const alarm = this.clock.createAlarm(fn);
    alarm.schedule(Math.max(0, ns - this.now));
  }

  /** Drives an input pin from outside (a button, a signal generator). */
  drive(pin: number, level: number): void {
    const p = this.mcu.gpio[pin];
    if (p === undefined) throw new RangeError(`the RP2040 has no GPIO ${pin}`);
    p.setInputValue(level !== 0);
  }

  /** Feeds bytes into a UART's receiver, the k-th at `ns + k·paceNs`. */
  typeAt(port: number, ns: number, bytes: ArrayLike<number>, paceNs: number): void {
    const u = this.mcu.uart[port];
    if (u === undefined) throw new RangeError(`the RP2040 has no UART${port}`);
    for (let k = 0; k < bytes.length; k++) {
      const b = bytes[k] as number;
      this.at(ns + k * paceNs, () => u.feedByte(b));
    }
  }

  /** Time one byte takes on a UART's line at the board's baud rate (10 bits: start, 8 data, stop). */
  byteNs(port: number): number {
    const u = this.board.uart.find((x) => x.port === port);
    return Math.round(10e9 / (u?.baud ?? 115200));
  }

  /** Ends a `run` from inside a callback (after the current instruction). */
  stop(): void {
    this.stopRequested = true;
  }

  /**
   * Runs until the emulated clock reaches `untilNs` (the first instruction
   * boundary at or after it: an instruction is not cut) or `stop()` is
   * called, calling `onSlice` (progress) every `slice` emulated ns. Says why
   * it returned.
   */
  run(untilNs: number, onSlice?: (now: number) => void, slice = 10_000_000): "time" | "stopped" {
    const core = this.mcu.core;
    const clock = this.clock;
    this.stopRequested = false;
    let nextSlice = clock.nanos + slice;
    while (clock.nanos < untilNs && !this.stopRequested) {
      const limit = Math.min(untilNs, nextSlice);
      while (clock.nanos < limit && !this.stopRequested) {
        if (core.waiting) {
          // asleep: jump to the next alarm (an interrupt may wake the core there), or to the limit
          const d = clock.nextAlarm === null ? limit - clock.nanos : clock.nanosToNextAlarm;
          clock.tick(Math.max(0, Math.min(d, limit - clock.nanos)));
        } else {
          clock.tick(core.executeInstruction() * CYCLE_NS);
        }
      }
      if (clock.nanos >= nextSlice) {
        nextSlice += slice;
        onSlice?.(clock.nanos);
      }
    }
    return this.stopRequested ? "stopped" : "time";
  }

  /** The core's program counter (for PC sampling). */
  get pc(): number {
    return this.mcu.core.PC;
  }
}
