/**
 * SpiBus: the kernel side of one SPI bus (`/dev/spiN`), shared by every
 * stream opened on it (spec §4.3-4.4, §9; OP_TRANSFER is an ioport
 * extension, docs/spec.md §4.10).
 *
 * Touched by: OP_READ (clocks out 0xFF, returns what came back), OP_WRITE
 * (received bytes discarded), OP_TRANSFER (full duplex, received bytes
 * written back over the buffer at reap), io_cancel, close of a stream or
 * port, and the SPI backend (`transferDone`).
 *
 * Guarantees:
 * - Transfers run one at a time, in submission order across all fds; each is
 *   one chip-select frame; the backend is started when the previous one ends.
 * - Bytes to send are copied at submit; received bytes stay in the op's
 *   kernel buffer and are copied into the submitter's memory at reap.
 * - A cancelled transfer stops at once: the bus is free from the cancel time
 *   and the next transfer starts then — inside a cancel cascade (a close, an
 *   exit, an io_cancel: Kernel.hold), when the cascade ends (`resume`), so a
 *   closing stream's later transfers never reach the device.
 */
import { copyBytes } from "../bytes.js";
import { OP_WRITE } from "../constants.js";
import type { SpiBackend, SpiSink } from "../devices.js";
import type { Kernel, Resumable } from "../kernel.js";
import { OpQueue, type Op } from "../op.js";
import type { KernelObject } from "./object.js";
import { bySeq } from "./uart.js";

export class SpiBus implements SpiSink, Resumable {
  readonly kernel: Kernel;
  readonly backend: SpiBackend;
  readonly path: string;
  readonly hz: number;
  readonly queue = new OpQueue();
  active: Op | null = null;
  /** Waiting for the end of a cancel cascade (Kernel.defer). */
  deferred = false;
  /** Statistics. */
  transfers = 0;
  bytes = 0;

  constructor(kernel: Kernel, backend: SpiBackend) {
    this.kernel = kernel;
    this.backend = backend;
    this.path = backend.path;
    this.hz = backend.hz;
    backend.connect(this);
  }

  /** Queues a transfer whose bytes to send are in `op.data[0..dataLen)`. */
  submit(op: Op): void {
    op.cancelHook = spiCancel;
    if (op.opcode !== OP_WRITE) op.reapHook = spiReap;
    this.queue.push(op);
    if (this.active === null) this.start();
  }

  /** Starts the oldest queued transfer, if any. */
  start(): void {
    const op = this.queue.head;
    if (op === null) return;
    this.active = op;
    const d = op.data as Uint8Array;
    this.backend.transfer(d, d, op.dataLen);
  }

  transferDone(_now: number): void {
    const k = this.kernel;
    k.enter();
    try {
      const op = this.active;
      this.active = null;
      if (op !== null) {
        this.queue.remove(op);
        this.transfers++;
        this.bytes += op.dataLen;
        k.complete(op, op.dataLen);
      }
      this.start();
    } finally {
      k.leave();
    }
  }

  /** End of a cancel cascade: start the oldest transfer left. */
  resume(_now: number): void {
    if (this.active === null) this.start();
  }

  /** Cancels, in submission order, every transfer submitted through `stream`. */
  cancelStream(stream: KernelObject, result: number): void {
    const mine: Op[] = [];
    for (let op = this.queue.head; op !== null; op = op.qNext) if (op.target === stream) mine.push(op);
    mine.sort(bySeq);
    for (const op of mine) this.kernel.cancelOp(op, result);
  }
}

function spiCancel(op: Op): void {
  const bus = op.obj as SpiBus;
  bus.queue.remove(op);
  if (bus.active === op) {
    bus.active = null;
    bus.backend.abortTransfer();
    // inside a cascade the next transfer may be one still to be cancelled
    if (bus.kernel.holding !== 0) bus.kernel.defer(bus);
    else bus.start();
  }
}

function spiReap(op: Op): void {
  if (op.result > 0) copyBytes((op.task as { memory: Uint8Array }).memory, op.bufAddr, op.data as Uint8Array, 0, op.result);
}
