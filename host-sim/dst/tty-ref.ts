/**
 * DST's reference for a UART in terminal mode (docs/spec.md §4.12),
 * written from the spec apart from the kernel's editor (core/objects/tty.ts)
 * so that DST compares two readings of the contract: what reads must return
 * and what the echo on the wire must be. Plain arrays; not for a hot path.
 */
export class TtyReference {
  /** The line being edited. */
  line: number[] = [];
  /** Every echo byte the keys so far call for, in order. */
  readonly echo: number[] = [];
  private esc = 0;
  private cr = false;

  /** `max`: the device's receive-buffer size (a line holds max - 1 keys and its terminator). */
  constructor(private readonly max: number) {}

  /** Terminal mode begins: nothing being edited. */
  reset(): void {
    this.line = [];
    this.esc = 0;
    this.cr = false;
  }

  /** One key; returns the line it ends (terminator included), or null. */
  key(c: number): number[] | null {
    if (this.esc === 1) {
      this.esc = c === 0x5b ? 2 : 0;
      return null;
    }
    if (this.esc === 2) {
      if (c >= 0x40 && c <= 0x7e) this.esc = 0;
      return null;
    }
    const afterCR = this.cr;
    this.cr = c === 0x0d;
    if (c >= 0x20 && c <= 0x7e) {
      if (this.line.length < this.max - 1) {
        this.line.push(c);
        this.echo.push(c);
      } else {
        this.echo.push(0x07);
      }
      return null;
    }
    if (c === 0x0d || (c === 0x0a && !afterCR)) {
      this.echo.push(0x0d, 0x0a);
      const done = [...this.line, 0x0a];
      this.line = [];
      return done;
    }
    if (c === 0x08 || c === 0x7f) {
      if (this.line.length > 0) {
        this.line.pop();
        this.echo.push(0x08, 0x20, 0x08);
      }
      return null;
    }
    if (c === 0x15) {
      for (let i = 0; i < this.line.length; i++) this.echo.push(0x08, 0x20, 0x08);
      this.line = [];
      return null;
    }
    if (c === 0x03) {
      this.line = [];
      this.echo.push(0x5e, 0x43, 0x0d, 0x0a);
      return [0x03];
    }
    if (c === 0x1b) this.esc = 1;
    return null;
  }
}

/** Whether `a` is a subsequence of `b`. */
export function isSubsequence(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  let j = 0;
  for (let i = 0; i < a.length; i++) {
    while (j < b.length && b[j] !== a[i]) j++;
    if (j === b.length) return false;
    j++;
  }
  return true;
}
