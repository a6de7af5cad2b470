/**
 * UartDevice: the kernel side of one UART (`/dev/uartN`), shared by every
 * stream opened on it (spec §4.3-4.4, §9 Simulated devices).
 *
 * Touched by: OP_READ / OP_WRITE on a device stream of this path, io_cancel,
 * close of a stream or port, and the serial backend (`receive`,
 * `transmitDone`) on the interrupt path.
 *
 * Guarantees:
 * - Reads are served one at a time in submission order across all fds; only
 *   the oldest read collects bytes. A read completes when full, or when it
 *   holds at least one byte and the line has been idle for the receive-idle
 *   gap ceil(2·10^10/baud) ns after its last byte; at that instant it
 *   completes before a byte arriving then is taken.
 * - Bytes with no read pending go to a fixed receive ring (the board's
 *   size). A byte arriving to a full ring is dropped and counted; the next
 *   read then completes once with -EOVERFLOW and no data.
 * - A cancelled read's bytes go back to the front of the buffer (to the next
 *   pending read first), so no byte is lost or delivered twice — even when
 *   they outnumber the ring's free room (the ring's storage then grows to
 *   hold them; found by DST, seed 2783).
 * - Only the oldest read holds bytes, and a read is pending only while the
 *   ring is empty (Kernel.checkInvariants checks both).
 * - Inside a cancel cascade (a close, an exit, an io_cancel: Kernel.hold)
 *   given-back bytes go to the front of the ring and a freed transmitter
 *   stays idle; the device serves and transmits again only when the
 *   cascade ends (`resume`), so they serve only ops that were not
 *   cancelled: when a stream closes, readers of other opens of the device.
 * - Writes are transmitted one at a time in submission order; a write
 *   completes when the backend has taken all its bytes; a cancelled write
 *   stops at once (the backend drops what is not on the wire).
 * - The per-byte path writes into preallocated Uint8Arrays and plain fields:
 *   no allocation, no user code. The idle timer is lazy (rescheduled when it
 *   fires early), so a stream of bytes does not reschedule it per byte.
 * - Terminal mode (docs/spec.md §4.12), while a stream opened with OPEN_TTY
 *   is open: each arriving byte goes through the line editor (tty.ts) at
 *   once; only finished lines enter the ring, and a read completes when it
 *   has taken one line (through its "\n", or the lone 0x03 of a Ctrl-C) or
 *   is full: no idle gap. A finished line that does not fit in the ring is
 *   dropped whole and reported like any overflow. The editor's echo goes on
 *   the line between writes, never inside one: at once when the backend
 *   takes it (`transmitNow`: every byte of the current write handed over,
 *   room in its FIFO), else as the next transmission, before the writes
 *   queued behind the current one. When the last terminal stream closes, a
 *   line still being edited goes into the ring as plain bytes (it was
 *   typed: it is not lost); bytes already in the ring when terminal mode
 *   began are read as they are, joined to the first line.
 */
import { ceilMulDiv, copyBytes } from "../bytes.js";
import type { SerialBackend, SerialSink } from "../devices.js";
import { EOVERFLOW } from "../errno.js";
import type { Kernel, Resumable } from "../kernel.js";
import { OpQueue, type Op } from "../op.js";
import type { KernelObject } from "./object.js";
import { ECHO_RUN, LINE_END, LINE_INTR, LineEditor } from "./tty.js";


export class UartDevice implements SerialSink, Resumable {
  readonly kernel: Kernel;
  readonly backend: SerialBackend;
  readonly path: string;
  readonly baud: number;
  /** Receive-idle gap, ns: ceil(2·T), T = 10^10/baud. */
  readonly gapNs: number;
  /**
   * Receive ring storage. Arrivals fill it up to `rxLimit`, the board's
   * size; only bytes given back by a cancelled read, or a terminal's
   * unfinished line when terminal mode ends, can take it past that (it then
   * grows to hold them: growRing).
   */
  rx: Uint8Array;
  readonly rxLimit: number;
  rxHead = 0;
  rxCount = 0;
  /** Arrival time of the last byte received (-Infinity before any). */
  rxLast = -Infinity;
  /** An overflow happened that no read has reported yet. */
  overflow = false;
  /** Statistics. */
  overruns = 0;
  rxBytes = 0;
  txBytes = 0;

  readonly reads = new OpQueue();
  readonly writes = new OpQueue();
  /** The write being transmitted (head of `writes`), or null. */
  txActive: Op | null = null;
  idleTimer = 0;
  /** Waiting for the end of a cancel cascade (Kernel.defer). */
  deferred = false;
  /** Terminal streams open (OPEN_TTY): the device is in terminal mode while > 0. */
  ttyStreams = 0;
  /** The line editor, made at the first terminal open. */
  tty: LineEditor | null = null;
  /** Echo bytes being transmitted (the transmitter is busy with echo, not a write). */
  txEcho = 0;
  /** `receive`'s byte, for the editor's batch path. */
  private readonly one = new Uint8Array(1);

  constructor(kernel: Kernel, backend: SerialBackend) {
    this.kernel = kernel;
    this.backend = backend;
    this.path = backend.path;
    this.baud = backend.baud;
    this.gapNs = ceilMulDiv(2, 1e10, backend.baud);
    this.rxLimit = backend.rxBuffer > 0 ? backend.rxBuffer : 1;
    this.rx = new Uint8Array(this.rxLimit);
    backend.connect(this);
  }

  /** Bytes waiting in the receive ring. */
  get buffered(): number {
    return this.rxCount;
  }

  // ---- reads ----

  /** Queues a read (buffer checks done). `op.target` is the stream, `op.obj` this device. */
  read(op: Op): void {
    if (this.overflow) {
      this.overflow = false;
      this.kernel.complete(op, -EOVERFLOW);
      return;
    }
    op.ensureData(op.bufLen);
    op.dataLen = 0;
    op.cancelHook = readCancel;
    op.reapHook = readReap;
    this.reads.push(op);
    this.serve(this.kernel.now());
  }

  /** Moves ring bytes into the oldest reads and completes those that are done. */
  private serve(now: number): void {
    let op: Op | null;
    while ((op = this.reads.head) !== null) {
      if (this.ttyStreams !== 0) {
        // terminal mode: a read ends with a line (or full); no idle gap
        if (op.dataLen === op.bufLen || (this.rxCount > 0 && this.drainLine(op))) {
          this.finishRead(op);
          continue;
        }
        return;
      }
      if (this.rxCount > 0) this.drainRing(op);
      if (op.dataLen === op.bufLen) {
        this.finishRead(op);
        continue;
      }
      if (op.dataLen > 0) {
        const due = this.rxLast + this.gapNs;
        if (now >= due) {
          this.finishRead(op);
          continue;
        }
        if (this.idleTimer === 0) this.idleTimer = this.kernel.platform.schedule(due, idleFire, this);
      }
      return;
    }
  }

  private drainRing(op: Op): void {
    const data = op.data as Uint8Array;
    const rx = this.rx;
    const cap = rx.length;
    let n = op.bufLen - op.dataLen;
    if (n > this.rxCount) n = this.rxCount;
    let at = op.dataLen;
    let h = this.rxHead;
    for (let i = 0; i < n; i++) {
      data[at++] = rx[h] as number;
      if (++h === cap) h = 0;
    }
    op.dataLen = at;
    this.rxHead = h;
    this.rxCount -= n;
  }

  /** Terminal mode: moves ring bytes into `op` through the first line end; true when it is done (a line end taken, or full). */
  private drainLine(op: Op): boolean {
    const data = op.data as Uint8Array;
    const rx = this.rx;
    const cap = rx.length;
    let at = op.dataLen;
    let h = this.rxHead;
    let n = this.rxCount;
    let ended = false;
    while (n > 0 && at < op.bufLen) {
      const c = rx[h] as number;
      data[at++] = c;
      if (++h === cap) h = 0;
      n--;
      if (c === LINE_END || c === LINE_INTR) {
        ended = true;
        break;
      }
    }
    op.dataLen = at;
    this.rxHead = h;
    this.rxCount = n;
    return ended || at === op.bufLen;
  }

  private finishRead(op: Op): void {
    this.reads.remove(op);
    this.kernel.complete(op, op.dataLen);
  }

  receive(byte: number, now: number): boolean {
    const k = this.kernel;
    k.enter();
    try {
      if (this.ttyStreams === 0) return this.take(byte, now);
      const one = this.one;
      one[0] = byte;
      return this.keysIn(one, 1, now) === 1;
    } finally {
      k.leave();
    }
  }

  /**
   * `n` bytes of `data` received at `now`, as `n` calls of `receive` would
   * take them, in one kernel entry (a terminal's echo of them in one
   * transmission). Measured on the emulated Pico: Moddable reports typed
   * bytes a few at a time, and an entry per byte cost more than the bytes'
   * own work in XS. Returns how many were kept.
   */
  receiveBytes(data: Uint8Array, n: number, now: number): number {
    const k = this.kernel;
    k.enter();
    try {
      if (this.ttyStreams !== 0) return this.keysIn(data, n, now);
      let kept = 0;
      for (let i = 0; i < n; i++) if (this.take(data[i] as number, now)) kept++;
      return kept;
    } finally {
      k.leave();
    }
  }

  /** Raw mode: one arriving byte (inside a kernel entry); false when it was dropped (ring full). */
  private take(byte: number, now: number): boolean {
    let op = this.reads.head;
    // at t_last + gap the read completes before a byte arriving then is taken
    if (op !== null && op.dataLen > 0 && now >= this.rxLast + this.gapNs) {
      this.finishRead(op);
      op = this.reads.head;
    }
    this.rxLast = now;
    this.rxBytes++;
    if (op !== null) {
      (op.data as Uint8Array)[op.dataLen++] = byte;
      if (op.dataLen === op.bufLen) this.finishRead(op);
      else if (this.idleTimer === 0) this.idleTimer = this.kernel.platform.schedule(now + this.gapNs, idleFire, this);
      return true;
    }
    const rx = this.rx;
    if (this.rxCount < this.rxLimit) {
      let at = this.rxHead + this.rxCount;
      if (at >= rx.length) at -= rx.length;
      rx[at] = byte;
      this.rxCount++;
      return true;
    }
    this.overruns++;
    this.overflow = true;
    return false;
  }

  /**
   * Terminal mode: bytes through the line editor (inside a kernel entry).
   * Each line they end goes to the ring and the reads, after the echo so
   * far ("\r\n" included) has gone out: the reader cannot answer before
   * it. Returns how many bytes were kept: all but the last byte of each
   * line dropped for want of room in the ring.
   */
  private keysIn(data: Uint8Array, n: number, now: number): number {
    const tty = this.tty as LineEditor;
    this.rxLast = now;
    this.rxBytes += n;
    let kept = n;
    let i = 0;
    while (i < n) {
      // At most ECHO_RUN keys before their echo goes out. Measured on the
      // emulated Pico, a key costs ~100 µs of XS in the editor and ~50 µs to
      // send: a 41-key line typed at line rate came in batches of 24, whose
      // first key waited for the other 23; in runs of 8 it waits for 7.
      i = tty.edit(data, i, n - i > ECHO_RUN ? i + ECHO_RUN : n);
      if (tty.echoCount !== 0 && this.txEcho === 0) this.sendEcho();
      const len = tty.ended;
      if (len === 0) continue; // the run ended, not a line
      tty.len = 0;
      if (len > this.rxLimit - this.rxCount) {
        this.overruns++;
        this.overflow = true;
        kept--;
        continue;
      }
      this.putRing(tty.line, len);
      this.serve(now);
    }
    return kept;
  }

  /**
   * Echo that just got queued: on the line at once if the backend takes it
   * now (behind a write whose bytes it has all handed over: the write's
   * transmitDone may still be on its way), else as the next transmission
   * when the transmitter is idle, else after the current write.
   */
  private sendEcho(): void {
    const tty = this.tty as LineEditor;
    const takeNow = this.backend.transmitNow;
    if (takeNow !== undefined) {
      let n: number;
      while ((n = tty.echoSpan()) !== 0 && takeNow.call(this.backend, tty.echo, tty.echoHead, n)) tty.echoSent(n);
      if (tty.echoCount === 0) return;
    }
    if (this.txActive === null && this.kernel.holding === 0) this.startTx();
  }

  /** Appends `n` bytes of `src` to the ring (the caller made sure they fit). */
  private putRing(src: Uint8Array, n: number): void {
    const rx = this.rx;
    let at = this.rxHead + this.rxCount;
    if (at >= rx.length) at -= rx.length;
    for (let i = 0; i < n; i++) {
      rx[at] = src[i] as number;
      if (++at === rx.length) at = 0;
    }
    this.rxCount += n;
  }

  /** A stream opened with OPEN_TTY: the device is in terminal mode from the first one. */
  openTty(): void {
    if (this.ttyStreams++ !== 0) return;
    if (this.tty === null) this.tty = new LineEditor(this.rxLimit);
    else this.tty.reset();
  }

  /**
   * The last reference to a terminal stream went away. With the last one
   * the device goes back to raw reads: the line being edited goes into the
   * ring as plain bytes — they were taken from the line, so when the ring
   * has no room for them its storage grows, as for a cancelled read's bytes
   * (giveBack) — and the reads left are served as raw reads: after the
   * cascade, inside one.
   */
  closeTty(now: number): void {
    if (--this.ttyStreams !== 0) return;
    const tty = this.tty as LineEditor;
    const n = tty.len;
    tty.len = 0;
    if (n > this.rx.length - this.rxCount) this.growRing(this.rxCount + n);
    if (n > 0) this.putRing(tty.line, n);
    if (this.kernel.holding !== 0) this.kernel.defer(this);
    else this.serve(now);
  }

  /**
   * Puts a cancelled read's bytes back at the front of the input: the next
   * read takes what it can if it is empty and the ring is too (the common
   * case), the rest goes to the front of the ring; then the reads are served
   * from the ring in order. Every byte is placed before any read completes:
   * were a read whose port is closing completed here, it would give its
   * bytes back in turn (kernel.complete), and those are earlier in the
   * stream, so they must find these already in place behind them (bytes
   * came out of order when the two interleaved; found by DST, seed 2783).
   * Inside a cancel cascade — every port close is one — the bytes only go
   * to the ring and nothing is served until the cascade ends (`resume`).
   */
  giveBack(data: Uint8Array, n: number, now: number): void {
    let off = 0;
    const op = this.reads.head;
    const held = this.kernel.holding !== 0;
    if (!held && op !== null && op.dataLen === 0 && this.rxCount === 0) {
      off = n < op.bufLen ? n : op.bufLen;
      copyBytes(op.data as Uint8Array, 0, data, 0, off);
      op.dataLen = off;
    }
    if (off < n) {
      const back = n - off;
      if (back > this.rx.length - this.rxCount) this.growRing(this.rxCount + back);
      const rx = this.rx;
      const cap = rx.length;
      let h = this.rxHead - back;
      if (h < 0) h += cap;
      this.rxHead = h;
      for (let i = 0; i < back; i++) {
        rx[h] = data[off + i] as number;
        if (++h === cap) h = 0;
      }
      this.rxCount += back;
    }
    // inside a cascade the next read may be one still to be cancelled
    if (held) this.kernel.defer(this);
    else this.serve(now);
  }

  /** End of a cancel cascade: serve the reads left, restart transmission. */
  resume(now: number): void {
    this.serve(now);
    if (this.txActive === null && this.txEcho === 0) this.startTx();
  }

  /**
   * Grows the ring's storage to hold `n` bytes, keeping its contents in
   * order. Only a give-back needs it: a read larger than the ring, cancelled
   * with more bytes than the ring has room for, when no read is pending to
   * take them. Those bytes were taken from the line already, so dropping
   * them would lose data; the ring keeps them instead (arrivals still stop
   * at `rxLimit`). The same for a terminal's unfinished line when terminal
   * mode ends (closeTty). Off the hot path; the storage stays grown.
   */
  private growRing(n: number): void {
    const old = this.rx;
    const grown = new Uint8Array(n);
    let h = this.rxHead;
    for (let i = 0; i < this.rxCount; i++) {
      grown[i] = old[h] as number;
      if (++h === old.length) h = 0;
    }
    this.rx = grown;
    this.rxHead = 0;
  }

  // ---- writes ----

  /** Queues a write whose bytes are already in `op.data[0..dataLen)`. */
  write(op: Op): void {
    op.cancelHook = writeCancel;
    this.writes.push(op);
    if (this.txActive === null && this.txEcho === 0) this.startTx();
  }

  /** Starts transmitting terminal echo if any waits, else the oldest queued write, if any. */
  startTx(): void {
    const tty = this.tty;
    if (tty !== null && tty.echoCount !== 0) {
      const n = tty.echoSpan();
      this.txEcho = n;
      this.backend.transmit(tty.echo, tty.echoHead, n);
      return;
    }
    const op = this.writes.head;
    if (op === null) return;
    this.txActive = op;
    this.backend.transmit(op.data as Uint8Array, 0, op.dataLen);
  }

  transmitDone(_now: number): void {
    const k = this.kernel;
    k.enter();
    try {
      if (this.txEcho !== 0) {
        (this.tty as LineEditor).echoSent(this.txEcho);
        this.txEcho = 0;
        this.startTx();
        return;
      }
      const op = this.txActive;
      this.txActive = null;
      if (op !== null) {
        this.writes.remove(op);
        this.txBytes += op.dataLen;
        k.complete(op, op.dataLen);
      }
      this.startTx();
    } finally {
      k.leave();
    }
  }

  /** Cancels, in submission order, every read and write submitted through `stream`. */
  cancelStream(stream: KernelObject, result: number): void {
    const mine: Op[] = [];
    for (let op = this.reads.head; op !== null; op = op.qNext) if (op.target === stream) mine.push(op);
    for (let op = this.writes.head; op !== null; op = op.qNext) if (op.target === stream) mine.push(op);
    mine.sort(bySeq);
    for (const op of mine) this.kernel.cancelOp(op, result);
  }
}

export function bySeq(a: Op, b: Op): number {
  return a.seq - b.seq;
}

function idleFire(arg: unknown, now: number): void {
  const dev = arg as UartDevice;
  dev.idleTimer = 0;
  // in terminal mode a line, not an idle gap, ends a read
  if (dev.ttyStreams !== 0 || dev.reads.head === null || (dev.reads.head as Op).dataLen === 0) return;
  const k = dev.kernel;
  k.enter();
  try {
    // bytes the driver holds but has not reported yet belong to this read: the line was not idle
    if (dev.backend.poll !== undefined) dev.backend.poll();
    const op = dev.reads.head; // the poll may have filled and completed it
    if (op === null || op.dataLen === 0) return;
    const due = dev.rxLast + dev.gapNs;
    if (now >= due) {
      dev.reads.remove(op);
      k.complete(op, op.dataLen);
    } else {
      dev.idleTimer = k.platform.schedule(due, idleFire, dev);
    }
  } finally {
    k.leave();
  }
}

function readCancel(op: Op): void {
  const dev = op.obj as UartDevice;
  dev.reads.remove(op);
  const n = op.dataLen;
  op.dataLen = 0;
  if (n > 0) dev.giveBack(op.data as Uint8Array, n, dev.kernel.now());
}

function readReap(op: Op): void {
  if (op.result > 0) copyBytes((op.task as { memory: Uint8Array }).memory, op.bufAddr, op.data as Uint8Array, 0, op.result);
}

function writeCancel(op: Op): void {
  const dev = op.obj as UartDevice;
  dev.writes.remove(op);
  if (dev.txActive === op) {
    dev.txActive = null;
    dev.backend.abortTransmit();
    // inside a cascade the next write may be one still to be cancelled
    if (dev.kernel.holding !== 0) dev.kernel.defer(dev);
    else dev.startTx();
  }
}
