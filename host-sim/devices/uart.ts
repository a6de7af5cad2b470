/**
 * Simulated UART: the SerialBackend of the simulated board (spec §9
 * Simulated devices).
 *
 * Timing, exactly as the contract gives it: character time T = 10^10/baud ns
 * (10 bits a byte); byte k (1-based) of a burst starting at t0 is on the
 * other side at t0 + ceil(k·T), computed as the integer ceil(k·10^10/baud).
 * An `inject` while a burst is still arriving starts when that burst's last
 * byte arrives. Transmission is timed the same way from `transmit`; a byte
 * counts as sent (`received()`) at its time. One event per byte, pooled by
 * the event queue, with a persistent callback: no allocation per byte.
 */
import { ceilMulDiv } from "../../core/bytes.js";
import type { SerialBackend, SerialSink } from "../../core/devices.js";
import type { Platform } from "../../core/platform.js";
import { utf8, utf8Decode } from "./utf8.js";

interface Burst {
  data: Uint8Array;
  t0: number;
}

export class SimUart implements SerialBackend {
  readonly path: string;
  readonly baud: number;
  readonly rxBuffer: number;
  /** Bytes dropped because the device's receive buffer was full. */
  overruns = 0;
  private sink: SerialSink | null = null;

  // peer → device
  private readonly bursts: Burst[] = [];
  private rxK = 0;
  private rxEvent = 0;
  /** Arrival time of the last byte of the last queued burst. */
  private rxBusyUntil = -Infinity;

  // device → peer
  private log = new Uint8Array(256);
  private logLen = 0;
  private txData: Uint8Array | null = null;
  private txOff = 0;
  private txLen = 0;
  private txK = 0;
  private txT0 = 0;
  private txEvent = 0;

  constructor(
    private readonly platform: Platform,
    spec: { path: string; baud: number; rxBuffer: number },
  ) {
    this.path = spec.path;
    this.baud = spec.baud;
    this.rxBuffer = spec.rxBuffer;
  }

  connect(sink: SerialSink): void {
    this.sink = sink;
  }

  /** Character time numerator/denominator: byte k of a burst is at t0 + ceil(k·10^10/baud). */
  byteTime(k: number): number {
    return ceilMulDiv(k, 1e10, this.baud);
  }

  /** Bytes from the peer, arriving at the baud rate (queued behind a burst still arriving). */
  inject(bytes: Uint8Array | ArrayLike<number> | string): void {
    const data = typeof bytes === "string" ? utf8(bytes) : Uint8Array.from(bytes as ArrayLike<number>);
    if (data.length === 0) return;
    const now = this.platform.now();
    const t0 = this.rxBusyUntil > now ? this.rxBusyUntil : now;
    this.bursts.push({ data, t0 });
    this.rxBusyUntil = t0 + this.byteTime(data.length);
    if (this.rxEvent === 0) this.scheduleRx();
  }

  /** Virtual time at which the last injected byte arrives (-Infinity if none yet). */
  get rxIdleAt(): number {
    return this.rxBusyUntil;
  }

  private scheduleRx(): void {
    const b = this.bursts[0];
    if (b === undefined) return;
    this.rxEvent = this.platform.schedule(b.t0 + this.byteTime(this.rxK + 1), rxFire, this);
  }

  /** @internal one byte arrives. */
  rxArrive(now: number): void {
    this.rxEvent = 0;
    const b = this.bursts[0] as Burst;
    const byte = b.data[this.rxK++] as number;
    if (this.rxK === b.data.length) {
      this.bursts.shift();
      this.rxK = 0;
    }
    const ok = this.sink !== null && this.sink.receive(byte, now);
    if (!ok) this.overruns++;
    this.scheduleRx();
  }

  // ---- transmit ----

  transmit(data: Uint8Array, off: number, len: number): void {
    this.txData = data;
    this.txOff = off;
    this.txLen = len;
    this.txK = 0;
    this.txT0 = this.platform.now();
    if (len === 0) {
      this.txData = null;
      this.sink?.transmitDone(this.txT0);
      return;
    }
    this.txEvent = this.platform.schedule(this.txT0 + this.byteTime(1), txFire, this);
  }

  abortTransmit(): void {
    if (this.txEvent !== 0) this.platform.cancel(this.txEvent);
    this.txEvent = 0;
    this.txData = null;
  }

  /** @internal one byte is on the wire. */
  txSent(now: number): void {
    this.txEvent = 0;
    const data = this.txData;
    if (data === null) return;
    if (this.logLen === this.log.length) {
      const grown = new Uint8Array(this.log.length * 2);
      grown.set(this.log);
      this.log = grown;
    }
    this.log[this.logLen++] = data[this.txOff + this.txK++] as number;
    if (this.txK === this.txLen) {
      this.txData = null;
      if (this.sink !== null) this.sink.transmitDone(now);
    } else {
      this.txEvent = this.platform.schedule(this.txT0 + this.byteTime(this.txK + 1), txFire, this);
    }
  }

  /** Bytes the device has transmitted so far (a copy). */
  received(): Uint8Array {
    return this.log.slice(0, this.logLen);
  }

  /** `received()` decoded as UTF-8. */
  receivedText(): string {
    return utf8Decode(this.received());
  }

  /** Forgets the transmitted bytes recorded so far. */
  clearReceived(): void {
    this.logLen = 0;
  }
}

function rxFire(arg: unknown, now: number): void {
  (arg as SimUart).rxArrive(now);
}

function txFire(arg: unknown, now: number): void {
  (arg as SimUart).txSent(now);
}
