/**
 * UART on Moddable: the SerialBackend from ECMA-419 `Serial`
 * (`embedded:io/serial`, `format: "number"`, one byte per read/write, so
 * nothing is allocated per byte).
 *
 * - Receive: `onReadable(count)` reads up to `count` bytes at once and hands
 *   them to the kernel together (`receiveBytes`: one kernel entry) with one
 *   clock reading for the batch (the bytes sat in the driver's FIFO; their
 *   arrival times are not known any closer).
 *   Bytes the kernel cannot buffer are dropped and counted there (overrun,
 *   reported as -EOVERFLOW): the kernel's receive buffer is the board's.
 * - Transmit with backpressure: `onWritable(count)` says how many bytes the
 *   transmit FIFO takes now; `transmit` writes at most that many and waits
 *   for the next `onWritable` for the rest — no busy loop, no "tx full"
 *   exception. `transmitDone` is reported when the last byte has been handed
 *   to the FIFO (docs/decisions.md); if that happened inside `transmit`
 *   itself it is deferred to a later pass of the main loop, so the kernel
 *   never completes a write inside the io_submit that started it.
 * - `transmitNow` (terminal echo) puts a few bytes into the FIFO at once,
 *   between writes, when it has room: no transmitDone round trip.
 * - `abortTransmit` stops feeding the FIFO; bytes already in it (at most its
 *   size) still go out — the hardware offers no way to take them back.
 */
import type { BoardUart } from "../../core/board.js";
import type { SerialBackend, SerialSink } from "../../core/devices.js";
import type { SerialClass, SerialIo, TimerApi } from "./io-types.js";
import { Step } from "./step.js";

/** Bytes handed to the kernel per call at most (more in one onReadable take several calls). */
const RX_BATCH = 64;

/**
 * Reads up to `want` bytes into `buf`; returns how many. In "number" format
 * Moddable's `read()` throws when its buffer is empty (ECMA-419 allows
 * undefined): either ends the read, which `poll` relies on.
 */
function readInto(io: SerialIo, buf: Uint8Array, want: number): number {
  let n = 0;
  try {
    while (n < want) {
      const b = io.read();
      if (typeof b !== "number") break;
      buf[n++] = b;
    }
  } catch {
    // the driver's buffer is empty
  }
  return n;
}

export class ModdableSerial<T> implements SerialBackend {
  readonly path: string;
  readonly baud: number;
  readonly rxBuffer: number;
  private readonly Serial: SerialClass;
  private readonly spec: BoardUart;
  private readonly clock: () => number;
  private readonly doneStep: Step<T>;
  private io: SerialIo | null = null;
  private sink: SerialSink | null = null;
  /** Bytes the transmit FIFO takes now (from the last onWritable, minus what we wrote since). */
  private room = 0;
  private txData: Uint8Array | null = null;
  private txOff = 0;
  private txLen = 0;
  private txK = 0;
  private inTransmit = false;
  /** Bytes of one onReadable, handed to the kernel together (SerialSink.receiveBytes). */
  private readonly rxBatch = new Uint8Array(RX_BATCH);
  /** Clock time of the last onReadable (the stamp of bytes found by `poll`). */
  private lastReport = 0;
  /** Statistics. */
  bytesIn = 0;
  bytesOut = 0;

  constructor(Serial: SerialClass, spec: BoardUart, timerApi: TimerApi<T>, clock: () => number, wake?: () => void) {
    if (spec.port === undefined || spec.tx === undefined || spec.rx === undefined) {
      throw new Error(`ioport: ${spec.path} needs port, tx and rx in the board file to run on hardware`);
    }
    this.Serial = Serial;
    this.spec = spec;
    this.path = spec.path;
    this.baud = spec.baud;
    this.rxBuffer = spec.rxBuffer;
    this.clock = clock;
    this.doneStep = new Step(timerApi, () => this.finish(), wake);
  }

  connect(sink: SerialSink): void {
    this.sink = sink;
    if (this.io !== null) return;
    const spec = this.spec;
    this.io = new this.Serial({
      port: spec.port as number,
      receive: spec.rx as number,
      transmit: spec.tx as number,
      baud: spec.baud,
      format: "number",
      onReadable: (count: number) => this.readable(count),
      onWritable: (count: number) => this.writable(count),
    });
  }

  private readable(count: number): void {
    const now = this.clock();
    this.lastReport = now;
    this.handOver(count, now);
  }

  /**
   * Bytes in the driver's buffer that no `onReadable` has reported yet, with
   * the time of the last report (SerialBackend.poll). Measured on the
   * emulated Pico: Moddable runs due timers before it delivers messages, so
   * bytes typed at line rate sat reported-but-undelivered while the kernel's
   * receive-idle timer fired and ended the read after the first byte; each
   * later byte then waited several kernel passes for its echo.
   */
  poll(): void {
    this.handOver(Infinity, this.lastReport);
  }

  /** Reads up to `max` bytes and hands them to the kernel, RX_BATCH at a time, stamped `stamp`. */
  private handOver(max: number, stamp: number): void {
    const io = this.io;
    const sink = this.sink;
    if (io === null || sink === null) return;
    const buf = this.rxBatch;
    for (let left = max; left > 0; ) {
      const want = left < buf.length ? left : buf.length;
      const n = readInto(io, buf, want);
      if (n === 0) return;
      this.bytesIn += n;
      sink.receiveBytes(buf, n, stamp);
      if (n < want) return;
      left -= n;
    }
  }

  private writable(count: number): void {
    this.room = count;
    if (this.txData !== null) this.pump();
  }

  transmit(data: Uint8Array, off: number, len: number): void {
    this.txData = data;
    this.txOff = off;
    this.txLen = len;
    this.txK = 0;
    this.inTransmit = true;
    try {
      this.pump();
    } finally {
      this.inTransmit = false;
    }
  }

  /**
   * SerialBackend.transmitNow, for terminal echo: the bytes go into the FIFO
   * at once when no write is still being fed and the FIFO has room for all
   * of them (as far as the last onWritable told). Measured on the emulated
   * Pico: echo sent as a transmission waited for its transmitDone, which a
   * later main-loop pass reports (below), and the shell's command ran first:
   * the rest of `help` echoed 25 ms after its keys.
   */
  transmitNow(data: Uint8Array, off: number, len: number): boolean {
    const io = this.io;
    if (io === null || this.txData !== null || this.room < len) return false;
    for (let i = 0; i < len; i++) io.write(data[off + i] as number);
    this.room -= len;
    this.bytesOut += len;
    return true;
  }

  /** Writes what the FIFO takes; reports the end when every byte is in. */
  private pump(): void {
    const io = this.io;
    const data = this.txData;
    if (io === null || data === null) return;
    const base = this.txOff;
    while (this.txK < this.txLen && this.room > 0) {
      io.write(data[base + this.txK] as number);
      this.txK++;
      this.room--;
      this.bytesOut++;
    }
    if (this.txK < this.txLen) return;
    this.txData = null;
    if (this.inTransmit) this.doneStep.request();
    else if (this.sink !== null) this.sink.transmitDone(this.clock());
  }

  private finish(): void {
    if (this.sink !== null) this.sink.transmitDone(this.clock());
  }

  abortTransmit(): void {
    this.txData = null;
    this.doneStep.cancel();
  }
}
