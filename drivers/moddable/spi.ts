/**
 * SPI on Moddable: the SpiBackend from ECMA-419 `SPI` (`embedded:io/spi`).
 *
 * Moddable's SPI is synchronous: `transfer(buffer)` returns when the bytes
 * have been clocked. So `transfer` only records the job and requests a
 * deferred step (a 0 ms timer); the step clocks the frame — `transfer` in
 * place, then `flush(true)` to release chip select, so each kernel transfer
 * is one chip-select frame — and reports `transferDone`. Completions thus
 * stay asynchronous (never inside the io_submit that queued them) and in
 * submission order (the kernel hands one transfer at a time).
 *
 * The step blocks the JS thread for the frame's duration
 * (8·n / hz seconds: 8 µs a byte at 1 MHz); keep frames short or the clock
 * fast. `abortTransfer` before the step withdraws the job; after it there is
 * nothing left to abort.
 */
import type { BoardSpi } from "../../core/board.js";
import type { SpiBackend, SpiSink } from "../../core/devices.js";
import type { SpiClass, SpiIo, TimerApi } from "./io-types.js";
import { Step } from "./step.js";

export class ModdableSpi<T> implements SpiBackend {
  readonly path: string;
  readonly hz: number;
  private readonly SPI: SpiClass;
  private readonly spec: BoardSpi;
  private readonly clock: () => number;
  private readonly step: Step<T>;
  private io: SpiIo | null = null;
  private sink: SpiSink | null = null;
  private tx: Uint8Array | null = null;
  private rx: Uint8Array | null = null;
  private len = 0;
  /** Frames clocked (statistics). */
  frames = 0;

  constructor(SPI: SpiClass, spec: BoardSpi, timerApi: TimerApi<T>, clock: () => number, wake?: () => void) {
    if (spec.clock === undefined || spec.out === undefined || spec.in === undefined) {
      throw new Error(`ioport: ${spec.path} needs clock, out and in pins in the board file to run on hardware`);
    }
    this.SPI = SPI;
    this.spec = spec;
    this.path = spec.path;
    this.hz = spec.hz;
    this.clock = clock;
    this.step = new Step(timerApi, () => this.run(), wake);
  }

  connect(sink: SpiSink): void {
    this.sink = sink;
    if (this.io !== null) return;
    const s = this.spec;
    const options: { clock: number; out: number; in: number; hz: number; mode: number; select?: number; port?: number } = {
      clock: s.clock as number,
      out: s.out as number,
      in: s.in as number,
      hz: s.hz,
      mode: s.mode ?? 0,
    };
    if (s.select !== undefined) options.select = s.select;
    if (s.port !== undefined) options.port = s.port;
    this.io = new this.SPI(options);
  }

  transfer(tx: Uint8Array, rx: Uint8Array, len: number): void {
    this.tx = tx;
    this.rx = rx;
    this.len = len;
    this.step.request();
  }

  abortTransfer(): void {
    this.tx = null;
    this.rx = null;
    this.step.cancel();
  }

  /** The deferred step: clocks the recorded frame, then reports it. */
  private run(): void {
    const io = this.io;
    const tx = this.tx;
    const rx = this.rx;
    if (io === null || tx === null || rx === null) return;
    this.tx = null;
    this.rx = null;
    const len = this.len;
    if (rx !== tx) for (let i = 0; i < len; i++) rx[i] = tx[i] as number;
    // the kernel reuses pooled buffers that may be longer than the frame: then a view (one small object per frame)
    io.transfer(rx.length === len ? rx : rx.subarray(0, len));
    io.flush(true);
    this.frames++;
    if (this.sink !== null) this.sink.transferDone(this.clock());
  }
}
