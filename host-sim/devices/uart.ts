/**
 * Simulated UART: the SerialBackend of the simulated board (spec §9
 * Simulated devices).
 *
 * Timing, exactly as the contract gives it: character time T = 10^10/baud ns
 * (10 bits a byte); byte k (1-based) of a burst starting at t0 is on the
 * other side at t0 + ceil(k·T), computed as the integer ceil(k·10^10/baud).
 * An `inject` while a burst is still arriving starts when that burst's last
 * byte arrives. Transmission is timed the same way from `transmit`; a byte
 * counts as sent (`received()`) at its time.
 *
 * Each direction is a stream of byte events. Eager (no queue given): one
 * queued event per byte, pooled by the event queue, with a persistent
 * callback. Lazy (the Simulator's default): each direction is an
 * EventSource — its next byte's arrival time is computed, not queued, and
 * the queue runs it in the same (time, scheduling order) place the queued
 * event would have had (the order stamp is taken at the same moment), so
 * both modes deliver the same bytes to the kernel at the same times in the
 * same order with the neighbouring events; a byte costs a comparison instead
 * of a heap push and pop. No allocation per byte either way.
 */
import { ceilMulDiv, copyBytes } from "../../core/bytes.js";
import type { SerialBackend, SerialSink } from "../../core/devices.js";
import type { Platform } from "../../core/platform.js";
import type { EventQueue, EventSource } from "../event-queue.js";
import { utf8, utf8Decode } from "./utf8.js";

/** One direction's next byte, as an event source of the queue (lazy mode). */
class ByteClock implements EventSource {
  nextTime = Infinity;
  nextSeq = 0;
  constructor(
    private readonly uart: SimUart,
    private readonly run: (arg: unknown, now: number) => void,
  ) {}
  fire(now: number): void {
    this.nextTime = Infinity;
    this.run(this.uart, now);
  }
}

/** byteTime(k) for k below this comes from a table made once (bursts and writes are mostly shorter). */
const BYTE_TIMES = 256;

/**
 * Watches the line at frame level (the VCD writer uses it): one call per
 * byte, with the frame's start (start bit) and end (end of the stop bit) in
 * virtual ns. Frames are reported when they complete.
 */
export interface UartLineObserver {
  rx(byte: number, startNs: number, endNs: number, framingError: boolean): void;
  tx(byte: number, startNs: number, endNs: number): void;
}

export class SimUart implements SerialBackend {
  readonly path: string;
  readonly baud: number;
  readonly rxBuffer: number;
  private readonly byteTimes = new Float64Array(BYTE_TIMES);
  /** Bytes dropped because the device's receive buffer was full. */
  overruns = 0;
  /** Frames received with a bad stop bit (`injectFramingError`). */
  framingErrors = 0;
  /** Bytes delivered to the kernel (accepted or dropped as overruns). */
  rxBytes = 0;
  /** Frame-level observer of both lines (VCD), or null. */
  observer: UartLineObserver | null = null;
  /** Called for every received byte with whether the kernel took it (false: overrun). For checkers. */
  onReceive: ((byte: number, accepted: boolean, now: number) => void) | null = null;
  private sink: SerialSink | null = null;
  /** Lazy mode: the queue whose order stamps the byte clocks take, and the clocks. */
  private readonly queue: EventQueue | null;
  private readonly rxClock: ByteClock | null = null;
  private readonly txClock: ByteClock | null = null;

  // peer → device: the bytes injected and not arrived yet, rxq[rxqHead, rxqTail),
  // and their bursts, a ring of parallel arrays (start time, length, bad stop bit)
  // [burstHead, burstHead + burstCount): no object per inject, nothing for the
  // collector to trace however long the backlog (a line kept busy grows one)
  private rxq = new Uint8Array(256);
  private rxqHead = 0;
  private rxqTail = 0;
  private burstT0 = new Float64Array(16);
  private burstLen = new Uint32Array(16);
  private burstBad = new Uint8Array(16);
  private burstHead = 0;
  private burstCount = 0;
  /** Bytes of the burst at burstHead arrived so far. */
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
    queue: EventQueue | null = null,
  ) {
    this.path = spec.path;
    this.baud = spec.baud;
    for (let k = 0; k < BYTE_TIMES; k++) this.byteTimes[k] = ceilMulDiv(k, 1e10, spec.baud);
    this.rxBuffer = spec.rxBuffer;
    this.queue = queue;
    if (queue !== null) {
      this.rxClock = new ByteClock(this, rxFire);
      this.txClock = new ByteClock(this, txFire);
      queue.addSource(this.rxClock);
      queue.addSource(this.txClock);
    }
  }

  /**
   * Schedules `run` at `t` as the platform would (never before now): a
   * queued event (eager; returns its handle) or `clock`'s next event (lazy;
   * returns 1, a "pending" mark, as no handle is needed to cancel it).
   */
  private scheduleByte(t: number, clock: ByteClock | null, run: (arg: unknown, now: number) => void): number {
    if (clock === null) return this.platform.schedule(t, run, this);
    const now = this.platform.now();
    clock.nextTime = t > now ? t : now;
    clock.nextSeq = (this.queue as EventQueue).stamp();
    return 1;
  }

  connect(sink: SerialSink): void {
    this.sink = sink;
  }

  /** Character time numerator/denominator: byte k of a burst is at t0 + ceil(k·10^10/baud). */
  byteTime(k: number): number {
    return k < BYTE_TIMES ? (this.byteTimes[k] as number) : ceilMulDiv(k, 1e10, this.baud);
  }

  /** Bytes from the peer, arriving at the baud rate (queued behind a burst still arriving). */
  inject(bytes: Uint8Array | ArrayLike<number> | string): void {
    this.queueBurst(typeof bytes === "string" ? utf8(bytes) : bytes, false);
  }

  /**
   * Fault injection: frames with a bad stop bit (line noise, a baud-rate
   * mismatch, a break). The receiver samples the data bits as usual and
   * hands the byte on — an ECMA-419 serial driver cannot tell a framing
   * error either — so the kernel sees an ordinary (garbage) byte; the
   * simulator counts it in `framingErrors` and the VCD shows the bad stop
   * bit. Default byte 0x00 with a bad stop bit: a break.
   */
  injectFramingError(bytes: Uint8Array | ArrayLike<number> | number = 0): void {
    this.queueBurst(typeof bytes === "number" ? [bytes & 0xff] : bytes, true);
  }

  /**
   * Queues a copy of `data` (each element ToNumber, then modulo 256, as
   * Uint8Array.from does; indexed, not through the iterator protocol, which
   * in XS allocates a result object per element) as one burst.
   */
  private queueBurst(data: ArrayLike<number>, framingError: boolean): void {
    const n = data.length;
    if (n === 0) return;
    const now = this.platform.now();
    const t0 = this.rxBusyUntil > now ? this.rxBusyUntil : now;
    this.reserveRx(n);
    copyBytes(this.rxq, this.rxqTail, data, 0, n);
    this.rxqTail += n;
    if (this.burstCount === this.burstLen.length) this.growBursts();
    const i = (this.burstHead + this.burstCount) % this.burstLen.length;
    this.burstT0[i] = t0;
    this.burstLen[i] = n;
    this.burstBad[i] = framingError ? 1 : 0;
    this.burstCount++;
    this.rxBusyUntil = t0 + this.byteTime(n);
    if (this.rxEvent === 0) this.scheduleRx();
  }

  /** Room for `n` more bytes at rxqTail: the unread bytes moved to the front, or a buffer twice the size. */
  private reserveRx(n: number): void {
    const q = this.rxq;
    if (this.rxqTail + n <= q.length) return;
    const live = this.rxqTail - this.rxqHead;
    let size = q.length;
    while (live + n > size / 2) size *= 2;
    if (size === q.length) q.copyWithin(0, this.rxqHead, this.rxqTail);
    else {
      const to = new Uint8Array(size);
      copyBytes(to, 0, q, this.rxqHead, live);
      this.rxq = to;
    }
    this.rxqHead = 0;
    this.rxqTail = live;
  }

  private growBursts(): void {
    const cap = this.burstLen.length;
    const t0 = new Float64Array(cap * 2);
    const len = new Uint32Array(cap * 2);
    const bad = new Uint8Array(cap * 2);
    for (let k = 0; k < this.burstCount; k++) {
      const i = (this.burstHead + k) % cap;
      t0[k] = this.burstT0[i] as number;
      len[k] = this.burstLen[i] as number;
      bad[k] = this.burstBad[i] as number;
    }
    this.burstT0 = t0;
    this.burstLen = len;
    this.burstBad = bad;
    this.burstHead = 0;
  }

  /** Virtual time at which the last injected byte arrives (-Infinity if none yet). */
  get rxIdleAt(): number {
    return this.rxBusyUntil;
  }

  private scheduleRx(): void {
    if (this.burstCount === 0) return;
    this.rxEvent = this.scheduleByte((this.burstT0[this.burstHead] as number) + this.byteTime(this.rxK + 1), this.rxClock, rxFire);
  }

  /** @internal one byte arrives. */
  rxArrive(now: number): void {
    this.rxEvent = 0;
    const h = this.burstHead;
    const t0 = this.burstT0[h] as number;
    const bad = this.burstBad[h] === 1;
    const k = this.rxK;
    const byte = this.rxq[this.rxqHead++] as number;
    if (++this.rxK === this.burstLen[h]) {
      this.burstHead = (h + 1) % this.burstLen.length;
      this.rxK = 0;
      if (--this.burstCount === 0) this.rxqHead = this.rxqTail = 0;
    }
    if (bad) this.framingErrors++;
    if (this.observer !== null) this.observer.rx(byte, t0 + this.byteTime(k), now, bad);
    this.rxBytes++;
    const ok = this.sink !== null && this.sink.receive(byte, now);
    if (!ok) this.overruns++;
    if (this.onReceive !== null) this.onReceive(byte, ok, now);
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
    this.txEvent = this.scheduleByte(this.txT0 + this.byteTime(1), this.txClock, txFire);
  }

  abortTransmit(): void {
    if (this.txClock !== null) this.txClock.nextTime = Infinity;
    else if (this.txEvent !== 0) this.platform.cancel(this.txEvent);
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
    const k = this.txK;
    const byte = data[this.txOff + this.txK++] as number;
    this.log[this.logLen++] = byte;
    if (this.observer !== null) this.observer.tx(byte, this.txT0 + this.byteTime(k), now);
    if (this.txK === this.txLen) {
      this.txData = null;
      if (this.sink !== null) this.sink.transmitDone(now);
    } else {
      this.txEvent = this.scheduleByte(this.txT0 + this.byteTime(this.txK + 1), this.txClock, txFire);
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
