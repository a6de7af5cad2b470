/**
 * A progress line on stderr: rewritten in place on a TTY (at most every
 * 100 ms), a plain line every few seconds otherwise, nothing when quiet.
 */
export class Progress {
  private last = 0;
  private shown = false;
  private readonly tty: boolean;
  private readonly every: number;

  constructor(private readonly quiet: boolean, stream: NodeJS.WriteStream = process.stderr) {
    this.tty = stream.isTTY === true;
    this.every = this.tty ? 100 : 5000;
    this.stream = stream;
  }
  private readonly stream: NodeJS.WriteStream;

  update(line: () => string, force = false): void {
    if (this.quiet) return;
    const now = performance.now();
    if (!force && now - this.last < this.every) return;
    this.last = now;
    if (this.tty) {
      this.stream.write(`\r\x1b[2K${line()}`);
      this.shown = true;
    } else this.stream.write(`${line()}\n`);
  }

  /** Clears the in-place line (before printing results). */
  done(): void {
    if (this.tty && this.shown) this.stream.write("\r\x1b[2K");
    this.shown = false;
  }
}

export function fmtNs(ns: number): string {
  if (ns >= 1e9) return `${(ns / 1e9).toFixed(3)} s`;
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(3)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(3)} µs`;
  return `${ns} ns`;
}
