/**
 * Device backend interfaces a Platform provides (spec §1; docs/design.md,
 * "The path of an interrupt"). The simulator implements them with device models
 * (host-sim/devices/), `drivers/moddable/` with ECMA-419 IO.
 *
 * Shape: the backend owns the hardware and the timing; the kernel owns the
 * queues, buffers and completions. A backend calls into the kernel through a
 * *sink* the kernel gives it. Sink methods are interrupt-context entry
 * points: they count, copy into preallocated buffers and fill reserved
 * completion slots; they never run user code (waiters are resolved when the
 * sink call returns) and allocate nothing.
 *
 * Every method is written so an ECMA-419 driver can implement it:
 * - GPIO edges: `embedded:io/digital` `onReadable` reports pins, merged, with
 *   no count: the driver reads the clock and the pin and calls `raise` once.
 * - Serial: `onReadable` → `read()` one byte at a time → `receive`;
 *   `onWritable` drives `transmit` from the kernel's buffer.
 * - SPI: synchronous in Moddable: the driver runs the transfer from a
 *   deferred step (a 0 ms timer) and then calls `transferDone`.
 * - Timer IRQ lines need no backend: the kernel runs them on
 *   `Platform.schedule` at absolute times (creation + k·period, no drift).
 */

/** Kernel side of an interrupt line: what a GPIO backend calls on an edge. */
export interface IrqSink {
  /**
   * One interrupt at clock time `now` (ns); `level` is the pin level seen
   * with it (0 or 1). Counts and timestamps it, and completes the oldest arm
   * if there is one. Never runs user code; never allocates.
   */
  raise(now: number, level: number): void;
  /**
   * Optional: `count` interrupts at once, the first at clock time `firstNs`,
   * `level` after the last (a backend that counts in its ISR and reports
   * batches: drivers/moddable/capture.ts). The same as `count` raises, the
   * first at `firstNs`, in one pass.
   */
  raiseBatch?(firstNs: number, level: number, count: number): void;
  /**
   * Optional: the backend offers (or, with null, withdraws) a native fast
   * lane for this line (IrqLane). The kernel grants it while its
   * direct-delivery conditions hold and takes it back before anything
   * touches the line or its port (core/objects/lane.ts).
   */
  attachLane?(lane: IrqLane | null): void;
}

/**
 * A native fast lane (docs/chip.md, "The native fast lane"; the kernel's
 * side is core/objects/lane.ts): a backend whose interrupt side can itself
 * do what the kernel's direct delivery (core/objects/direct.ts) does.
 *
 * Between `grant` and `revoke` the backend delivers a batch of `n`
 * interrupts (first at `firstNs` on the kernel's clock, `level` after the
 * last) without calling the kernel: it stores the 24-byte completion
 * (`udLo`, `udHi`, result n, `flags`, `opcode`) at `out` and, if `ev` is not
 * 0, the 16-byte IrqEvent (firstNs, n, level) at `ev`, both in `memory`,
 * then calls `cb(1)`. `kind` (core/abi.ts): LANE_ONESHOT — the IrqEvent is
 * stored first and n caps at 2^32-1 (else the completion first, n capped at
 * 2^31-1); LANE_ONCE — one batch only, later ones go to the kernel as
 * before. `state` holds two int32 words (Kernel.laneState): the backend
 * adds 1 to the first while `cb` runs (so the kernel knows a syscall comes
 * from a lane's callback); after `cb` returns (or throws), if it threw or
 * the kernel set the second word, the backend calls `exit(threw, error)`
 * before anything else runs.
 */
export interface IrqLane {
  grant(
    memory: ArrayBuffer,
    out: number,
    ev: number,
    udLo: number,
    udHi: number,
    opcode: number,
    flags: number,
    kind: number,
    cb: (n: number) => void,
    exit: (threw: boolean, err: unknown) => void,
    state: ArrayBuffer,
  ): void;
  /**
   * Takes the lane back (a no-op if not granted). Returns the interrupts it
   * delivered since the grant; `revokedBatches` is then the callbacks it
   * made, and `revokedInCallback` whether `cb` is running now (the kernel
   * then counts as flushing until `exit`).
   */
  revoke(): number;
  readonly revokedBatches: number;
  readonly revokedInCallback: boolean;
}

/** GPIO pins: edge interrupts and plain input/output. */
export interface GpioBackend {
  /** Number of pins; valid pin numbers are 0 .. pins-1. */
  readonly pins: number;
  /**
   * True when the backend may report fewer edges than the pin made: ECMA-419
   * `Digital` merges the edges that come between two of its callbacks, so a
   * line's count is a lower bound there. Absent or false: every edge is
   * reported (the simulator, the native capture).
   */
  readonly mergesEdges?: boolean;
  /**
   * Starts reporting the edges of `pin` selected by `edges`
   * (IRQ_RISING = 1 | IRQ_FALLING = 2) to `sink`, one `raise` per edge.
   * A pin has at most one watcher (the kernel claims lines exclusively).
   */
  watch(pin: number, edges: number, sink: IrqSink): void;
  /** Stops reporting edges of `pin`. */
  unwatch(pin: number): void;
  /** Drives `pin` as an output at `level` (0 or 1). */
  write(pin: number, level: number): void;
  /** The level `pin` reads (input or output), 0 or 1. */
  read(pin: number): number;
}

/**
 * Timer IRQ lines on hardware alarms (drivers/moddable/alarms.ts on a
 * board): the alarm's interrupt handler reads the clock, so a line's
 * interrupts are timestamped when the alarm fired, not when a software
 * timer got round to it.
 */
export interface AlarmBackend {
  /**
   * Starts timer line `n` (IRQ_TIMER_BASE + n): interrupts due at
   * `createdNs` + k·`periodNs` (k = 1, 2, ...; k = 1 only if `oneshot`),
   * reported as `sink.raiseBatch(firstNs, 0, count)`: `count` the due times
   * passed since the last report, `firstNs` the clock (kernel ns) read in
   * the handler of the first. Returns false when it cannot (no free alarm,
   * a period it cannot keep): the kernel then runs the line itself.
   */
  start(n: number, createdNs: number, periodNs: number, oneshot: boolean, sink: IrqSink): boolean;
  /** Stops line `n`; a report not yet made is dropped. */
  stop(n: number): void;
}

/** Kernel side of a UART: what a serial backend calls. */
export interface SerialSink {
  /**
   * One byte received at clock time `now`. Returns false when the kernel's
   * receive buffer was full and the byte was dropped (an overrun: counted by
   * the kernel, and reported to the next read as -EOVERFLOW).
   */
  receive(byte: number, now: number): boolean;
  /**
   * `n` bytes of `data` received together at `now` (a driver that learns of
   * bytes in batches): as `n` calls of `receive`, in one kernel entry.
   * Returns how many were kept (the rest were overruns).
   */
  receiveBytes(data: Uint8Array, n: number, now: number): number;
  /** The transmission started by `transmit` has been fully taken by the device. */
  transmitDone(now: number): void;
}

/** A UART. */
export interface SerialBackend {
  /** Device path, e.g. "/dev/uart0". */
  readonly path: string;
  /** Configured baud rate (10 bits per byte on the wire). */
  readonly baud: number;
  /** Size in bytes of the kernel's receive buffer for this device (the board's). */
  readonly rxBuffer: number;
  /** Connects the kernel; received bytes before this are the backend's to drop. */
  connect(sink: SerialSink): void;
  /**
   * Starts transmitting `len` bytes of `data` from `off`, at the line's pace
   * (backpressure is the backend's: it takes bytes as the transmitter has
   * room). The kernel leaves those bytes untouched until `transmitDone` or
   * `abortTransmit`. One transmission at a time.
   */
  transmit(data: Uint8Array, off: number, len: number): void;
  /**
   * Stops the current transmission at once: bytes not yet on the wire are
   * never sent; the line is free from now. No `transmitDone` follows.
   */
  abortTransmit(): void;
  /**
   * Optional, for a transmitter with a FIFO: puts all `len` bytes of `data`
   * from `off` on the line now, behind what it was handed so far, if it can
   * take them at once — every byte of the current transmission handed over
   * (its `transmitDone` may still be on its way) and room for these — and
   * returns true; else takes none and returns false. No `transmitDone`
   * follows. The kernel uses it for terminal echo (docs/spec.md §4.12),
   * which must not wait for a later pass of a busy main loop.
   */
  transmitNow?(data: Uint8Array, off: number, len: number): boolean;
  /**
   * Optional: hands the sink, now, bytes the driver has received but not yet
   * reported. The kernel calls it before it declares the line idle (a read
   * completes on idle), for drivers whose reports can lag behind their
   * buffer (Moddable on the Pico runs timers before the message that
   * reports bytes). Such bytes carry the time of the driver's last report.
   */
  poll?(): void;
}

/** Kernel side of an SPI bus. */
export interface SpiSink {
  /** The transfer started by `transfer` has finished; its received bytes are in `rx`. */
  transferDone(now: number): void;
}

/** An SPI bus (one device select). */
export interface SpiBackend {
  /** Device path, e.g. "/dev/spi0". */
  readonly path: string;
  /** Bus clock in Hz. */
  readonly hz: number;
  connect(sink: SpiSink): void;
  /**
   * Starts one full-duplex transfer (one chip-select frame) of `len` bytes:
   * clocks out `tx[0..len)`, and by `transferDone` has written what it
   * clocked in to `rx[0..len)` (`rx` may be `tx`). One at a time; the kernel
   * keeps both buffers untouched until `transferDone` or `abortTransfer`.
   */
  transfer(tx: Uint8Array, rx: Uint8Array, len: number): void;
  /** Stops the current transfer at once; the bus is free from now. No `transferDone` follows. */
  abortTransfer(): void;
}

/** The device side of a Platform; every part is optional (absent = the board has none). */
export interface PlatformDevices {
  readonly gpio?: GpioBackend;
  /** Number of timer IRQ lines: IRQ_TIMER_BASE + 0 .. timers-1. */
  readonly timers?: number;
  /** Hardware alarms for timer lines; without them (or when they decline a line) the kernel runs the line on Platform.schedule. */
  readonly alarms?: AlarmBackend;
  readonly serial?: readonly SerialBackend[];
  readonly spi?: readonly SpiBackend[];
}
