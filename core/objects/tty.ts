/**
 * The line editor of a UART in terminal mode (open flag OPEN_TTY,
 * docs/spec.md §4.12): what a tty's canonical mode with echo does in a
 * kernel, here for one device (UartDevice owns it; the mode is the
 * device's, as termios settings are the tty's, not a descriptor's).
 *
 * Guarantees:
 * - Runs on the receive path as the bytes arrive (`edit`, a driver's batch
 *   at a time): the echo of a key never waits for the program that will
 *   read the line, which is the point (measured on the emulated Pico: echo
 *   done by the demo's shell waited for the read's completion, the shell's
 *   turn and its write: 8-14 ms after the key; done here it leaves with the
 *   key's batch).
 * - Keys: printable ASCII (0x20-0x7e) is added and echoed; backspace (0x08)
 *   and DEL (0x7f) erase one (echo "\b \b"); Ctrl-U (0x15) erases the line;
 *   CR, LF or CR LF end it (echo "\r\n"; the line ends in one "\n");
 *   Ctrl-C (0x03) drops the line (echo "^C\r\n") and ends a line made of
 *   the single byte 0x03, so the reader can prompt again; an ESC sequence
 *   (ESC, or ESC [ ... final byte 0x40-0x7e: a terminal's arrow and function
 *   keys) is swallowed; other control bytes are ignored.
 * - A line holds at most `line.length` bytes, its terminator included: a
 *   key that does not fit rings the bell (echo 0x07) and is not added.
 * - Echo goes into a fixed ring: what a run of ECHO_RUN keys calls for
 *   always fits into an empty one (each key asks for at most 4 bytes, and
 *   the erases of a run for at most 3 per key typed in it or on the line
 *   before it). A caller that edits in such runs and sends the echo between
 *   them loses none while the transmitter keeps up; echo that does not fit
 *   (keys much faster than the line drains them) is dropped and counted in
 *   `echoDropped`. Input never is.
 * - Nothing is allocated per byte.
 */

export const LINE_END = 0x0a;
/** Keys a caller edits between echo sends (UartDevice: see why there). */
export const ECHO_RUN = 8;
export const LINE_INTR = 0x03;

/** control() results: the key did not end a line. */
const KEY_MORE = -1;

export class LineEditor {
  /** The line being edited. */
  readonly line: Uint8Array;
  len = 0;
  /** 0 normal, 1 after ESC, 2 inside an ESC [ sequence. */
  private esc = 0;
  private lastCR = false;
  /** Echo waiting for the transmitter. */
  readonly echo: Uint8Array;
  echoHead = 0;
  echoCount = 0;
  echoDropped = 0;
  /** After `edit`: the length of the line it ended, or 0. */
  ended = 0;

  constructor(lineMax: number) {
    this.line = new Uint8Array(lineMax);
    this.echo = new Uint8Array(3 * lineMax + 7 * ECHO_RUN + 8);
  }

  /** Forgets the line being edited and any escape sequence (entering terminal mode). */
  reset(): void {
    this.len = 0;
    this.esc = 0;
    this.lastCR = false;
  }

  /**
   * Edits with `data[from..n)` until a line ends; returns the index after
   * the last byte taken. `ended` is then the finished line's length (in
   * `line`, terminator included; the caller takes it and sets `len` to 0),
   * or 0 when the bytes ran out first.
   *
   * Printable keys, nearly all of them, take a loop over locals here: on the
   * Pico each property access costs about a microsecond of XS, and a key
   * through a method and the fields cost ~400 µs (measured on the emulated
   * RP2040, with the line's echo waiting for the last key of the batch);
   * escape sequences and control keys go through `control`.
   */
  edit(data: Uint8Array, from: number, n: number): number {
    const line = this.line;
    const lim = line.length - 1; // the last place is kept for the terminator
    const echo = this.echo;
    const cap = echo.length;
    const head = this.echoHead; // only a sent echo moves it, never an edit
    let len = this.len;
    let count = this.echoCount;
    let plain = this.esc === 0;
    let cr = this.lastCR;
    let i = from;
    this.ended = 0;
    while (i < n) {
      const c = data[i++] as number;
      if (plain && c >= 0x20 && c < 0x7f) {
        cr = false;
        const e = len < lim ? c : 0x07;
        if (e === c) line[len++] = c;
        if (count < cap) {
          let at = head + count;
          if (at >= cap) at -= cap;
          echo[at] = e;
          count++;
        } else {
          this.echoDropped++;
        }
        continue;
      }
      this.len = len;
      this.echoCount = count;
      this.lastCR = cr;
      const ended = this.control(c);
      len = this.len;
      count = this.echoCount;
      plain = this.esc === 0;
      cr = this.lastCR;
      if (ended !== KEY_MORE) {
        this.ended = ended;
        break;
      }
    }
    this.len = len;
    this.echoCount = count;
    this.lastCR = cr;
    return i;
  }

  /**
   * A byte inside an escape sequence, or a control byte (never a printable
   * key outside one: `edit` takes those). Returns the length of the line it
   * ended (in `line`, terminator included), or KEY_MORE.
   */
  private control(c: number): number {
    if (this.esc !== 0) {
      if (this.esc === 1) this.esc = c === 0x5b ? 2 : 0;
      else if (c >= 0x40 && c <= 0x7e) this.esc = 0;
      return KEY_MORE;
    }
    const afterCR = this.lastCR;
    this.lastCR = c === 0x0d;
    switch (c) {
      case 0x0a:
      case 0x0d:
        if (c === 0x0a && afterCR) return KEY_MORE; // CR LF is one end of line
        this.put(0x0d);
        this.put(0x0a);
        this.line[this.len] = LINE_END;
        return this.len + 1;
      case 0x08:
      case 0x7f:
        if (this.len > 0) {
          this.len--;
          this.erase();
        }
        return KEY_MORE;
      case 0x15:
        for (; this.len > 0; this.len--) this.erase();
        return KEY_MORE;
      case LINE_INTR:
        this.put(0x5e); // ^
        this.put(0x43); // C
        this.put(0x0d);
        this.put(0x0a);
        this.line[0] = LINE_INTR;
        return 1;
      case 0x1b:
        this.esc = 1;
        return KEY_MORE;
      default:
        return KEY_MORE;
    }
  }

  private erase(): void {
    this.put(0x08);
    this.put(0x20);
    this.put(0x08);
  }

  private put(c: number): void {
    const cap = this.echo.length;
    if (this.echoCount === cap) {
      this.echoDropped++;
      return;
    }
    let at = this.echoHead + this.echoCount;
    if (at >= cap) at -= cap;
    this.echo[at] = c;
    this.echoCount++;
  }

  /** Bytes of echo that lie contiguous from the head (what one transmission can take). */
  echoSpan(): number {
    const toEnd = this.echo.length - this.echoHead;
    return this.echoCount < toEnd ? this.echoCount : toEnd;
  }

  /** `n` bytes of echo went out. */
  echoSent(n: number): void {
    let h = this.echoHead + n;
    if (h >= this.echo.length) h -= this.echo.length;
    this.echoHead = h;
    this.echoCount -= n;
  }
}
