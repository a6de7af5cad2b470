/**
 * The probe's console on a board UART (the board file's `console`), so a
 * recording can be read without USB: on the Pico, Moddable's release
 * `trace()` goes to USB CDC only, and a measurement with a USB host attached
 * is not the same measurement (the host's polling costs the core CPU time).
 *
 * Lines are queued and written as the transmit FIFO takes them
 * (`onWritable`): no busy wait, and the probe holds its lines until a run
 * ends anyway, so writing never overlaps a measurement.
 */
import type { BoardSpec } from "../../core/board.js";
import type { SerialClass, SerialIo } from "../../drivers/moddable/io-types.js";

export class UartConsole {
  private readonly io: SerialIo;
  /** Lines waiting, the one being written first; `at` indexes into it (its length: the CR LF). */
  private readonly queue: string[] = [];
  private at = 0;
  private room = 0;

  /** The board's console UART, or null when it has none with pins. */
  static open(Serial: SerialClass, board: BoardSpec): UartConsole | null {
    const u = board.uart.find((x) => x.path === board.console) ?? board.uart[0];
    if (u === undefined || u.port === undefined || u.tx === undefined || u.rx === undefined) return null;
    return new UartConsole(Serial, u.port, u.tx, u.rx, u.baud);
  }

  private constructor(Serial: SerialClass, port: number, tx: number, rx: number, baud: number) {
    this.io = new Serial({
      port,
      transmit: tx,
      receive: rx,
      baud,
      format: "number",
      onReadable: () => {
        // input is not read: drain it so the FIFO never fills
        while (typeof this.io.read() === "number");
      },
      onWritable: (count: number) => {
        this.room = count;
        this.pump();
      },
    });
  }

  /** Queues a line (CR LF is added). */
  write(line: string): void {
    this.queue.push(line);
    this.pump();
  }

  /** Whether everything queued has been handed to the FIFO. */
  get idle(): boolean {
    return this.queue.length === 0;
  }

  private pump(): void {
    while (this.room > 0 && this.queue.length > 0) {
      const line = this.queue[0] as string;
      const n = line.length;
      this.io.write(this.at < n ? line.charCodeAt(this.at) & 0xff : this.at === n ? 13 : 10);
      this.room--;
      if (++this.at > n + 1) {
        this.queue.shift();
        this.at = 0;
      }
    }
  }
}
