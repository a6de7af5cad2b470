/**
 * Simulated SPI bus: the SpiBackend of the simulated board (spec §9).
 *
 * A transfer is one chip-select frame: the attached device model's
 * `transfer(mosi)` is called when the transfer starts, with the bytes sent,
 * and returns the bytes it clocks back (missing bytes, or no device: 0xFF,
 * an undriven MISO line). The transfer completes ceil(n·8·10^9/hz) ns later.
 * Device models are transaction-level: a cancelled transfer frees the bus at
 * once, but the device has already seen the whole frame.
 */
import { ceilMulDiv } from "../../core/bytes.js";
import type { SpiBackend, SpiSink } from "../../core/devices.js";
import type { Platform } from "../../core/platform.js";

/** What the simulated bus offers an attached device. */
export interface SimSpiBusInfo {
  /** Virtual time now, ns. */
  now(): number;
  /** Bus clock, Hz. */
  readonly hz: number;
  /** Duration of an n-byte transfer, ns. */
  durationNs(n: number): number;
}

/** A device model on a simulated SPI bus. */
export interface SpiDevice {
  /** One chip-select frame: the bytes sent (MOSI) → the bytes returned (MISO). */
  transfer(mosi: Uint8Array): Uint8Array | ArrayLike<number>;
  /** Called by `attach`, so the model can read the virtual clock. */
  attached?(bus: SimSpiBusInfo): void;
}

export class SimSpi implements SpiBackend, SimSpiBusInfo {
  readonly path: string;
  readonly hz: number;
  device: SpiDevice | null = null;
  /** Transfers started (statistics). */
  transfers = 0;
  private sink: SpiSink | null = null;
  private event = 0;

  constructor(
    private readonly platform: Platform,
    spec: { path: string; hz: number },
  ) {
    this.path = spec.path;
    this.hz = spec.hz;
  }

  connect(sink: SpiSink): void {
    this.sink = sink;
  }

  /** Attaches a device model (replacing any); `null` detaches. */
  attach(device: SpiDevice | null): void {
    this.device = device;
    if (device !== null && device.attached) device.attached(this);
  }

  now(): number {
    return this.platform.now();
  }

  durationNs(n: number): number {
    return ceilMulDiv(n, 8e9, this.hz);
  }

  transfer(tx: Uint8Array, rx: Uint8Array, len: number): void {
    this.transfers++;
    const dev = this.device;
    const miso = dev === null ? null : dev.transfer(tx.slice(0, len));
    for (let i = 0; i < len; i++) {
      const b = miso !== null && i < miso.length ? miso[i] : undefined;
      rx[i] = b === undefined ? 0xff : b & 0xff;
    }
    this.event = this.platform.schedule(this.platform.now() + this.durationNs(len), doneFire, this);
  }

  abortTransfer(): void {
    if (this.event !== 0) this.platform.cancel(this.event);
    this.event = 0;
  }

  /** @internal */
  done(now: number): void {
    this.event = 0;
    if (this.sink !== null) this.sink.transferDone(now);
  }
}

function doneFire(arg: unknown, now: number): void {
  (arg as SimSpi).done(now);
}
