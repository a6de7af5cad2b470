/**
 * The interrupt-latency probe core (issue 7): engine-neutral, so the very
 * same sequencing runs on a board under Moddable XS (`main.ts`) and in the
 * host simulator (`ioport hil --sim`).
 *
 * What it does: with a jumper from the board's loopback output pin to its
 * input pin, it drives `n` edges per mode, one at a time, and times each one
 * from the board's microsecond clock:
 *   t0 = clock(); write(level)            -- the edge
 *   ... the mode's path delivers it ...
 *   t1 = clock()                          -- first statement the user code runs
 *   latency = t1 - t0
 * Modes (the hooks are given by the host):
 *   a: the raw ECMA-419 `onReadable` callback (the baseline),
 *   b: the OP_IRQ_WAIT completion delivered by `io_wait_cb`,
 *   c: the same completion through the Promise form `io_wait` and an `await` loop,
 *   d: a multishot OP_IRQ_WAIT arm reaped by `io_watch` (the fast path: no syscall per edge).
 * Samples are spaced by a settle gap plus a random extra (seeded PRNG): long
 * enough that edges never merge, random so that they do not beat against
 * periodic activity on the board (USB frames, timers).
 *
 * Output: one line per event in the IOPL1 format (docs/hil-format.md), handed
 * to `host.emit` (no newline). Every line ends with ` *XX`, the XOR of its
 * bytes before the space (as in NMEA 0183), so a corrupted or spliced line is
 * detected; the end line carries counts and the latency sum, so a truncated
 * stream is detected.
 *
 * Rules (it runs in XS): ES2022, no host globals, no module-level mutable
 * state — every bit of state lives in a Probe made at run time.
 */

export const IOPL_MAGIC = "IOPL1";
export type ModeName = "a" | "b" | "c" | "d";
export const MODE_NAMES: readonly ModeName[] = ["a", "b", "c", "d"];

/** A mode's index in MODE_NAMES (its slot in the per-mode counters). */
function modeIndex(m: ModeName): number {
  return m === "a" ? 0 : m === "b" ? 1 : m === "c" ? 2 : 3;
}

/** What the probe needs from the board (or the simulator). */
export interface ProbeHost {
  /** The board's microsecond clock (integer µs on hardware). */
  now(): number;
  /** Drives the loopback output pin to `level` (0 or 1). */
  write(level: number): void;
  /** Calls `fn` once, not sooner than `us` microseconds from now, never synchronously. */
  after(us: number, fn: () => void): void;
  /** Sends one line (without its newline) to the console. */
  emit(line: string): void;
  /**
   * Optional: called between two modes; the probe goes on when `then` is
   * called. A board prints the lines it held here (printing while
   * measuring disturbs the measurement, and holding a whole run of four
   * modes does not fit the Pico's heap).
   */
  drain?(then: () => void): void;
}

/**
 * One mode's delivery path. `start` begins listening on the input pin and
 * calls `onEdge()` as the first thing the user code of that path runs for
 * each edge (the probe reads the clock there); where the path carries the
 * interrupt's own timestamp, `stamp` reads it (an `I` line). `stop`
 * releases the pin; it is called once, after the mode's last sample.
 */
export interface ModeHooks {
  /** `onEdge` may be given to the path as the user's callback itself: it ignores its arguments. */
  start(onEdge: () => void): void;
  stop(): void;
  /** Where the path has one: reads the latest delivery's own timestamp (the IrqEvent's, ns of the board clock); the probe calls it after its clock reading. */
  readonly stamp?: () => number;
}

export interface ProbeConfig {
  /** Board name for the header. */
  board: string;
  /** Samples per mode. */
  samples: number;
  /** Modes to run, in order (default a, b, c, d). */
  modes?: readonly ModeName[];
  /** PRNG seed for the spacing (default 1). */
  seed?: number;
  /** Name of the clock source for the header (e.g. time_us_64). */
  clock: string;
  /** Settle gap between a sample's delivery and the next edge, µs (default 2000). */
  settleUs?: number;
  /** Random extra spacing, uniform in [0, jitterUs] µs (default 3000). */
  jitterUs?: number;
  /** An edge not delivered within this many µs is reported lost (default 100000). */
  timeoutUs?: number;
}

/** The XOR checksum of a line's text (every UTF-16 unit's low byte), as two upper-case hex digits. */
export function ioplChecksum(text: string): string {
  let x = 0;
  for (let i = 0; i < text.length; i++) x ^= text.charCodeAt(i) & 0xff;
  return HEX.charAt(x >> 4) + HEX.charAt(x & 15);
}
const HEX = "0123456789ABCDEF";

/** `text` with its checksum appended: `text *XX`. */
export function ioplLine(text: string): string {
  return text + " *" + ioplChecksum(text);
}

/** A small seeded PRNG (xorshift32), one per Probe. */
class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = (seed >>> 0) ^ 0x9e3779b9 || 1;
  }
  /** An integer in [0, n]. */
  upTo(n: number): number {
    let s = this.s;
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    this.s = s >>> 0;
    return Math.floor((this.s / 4294967296) * (n + 1));
  }
}

export class Probe {
  readonly modes: readonly ModeName[];
  readonly samples: number;
  /** Samples delivered per mode, lost edges per mode, stray (unexpected) edges. */
  readonly delivered = [0, 0, 0, 0];
  readonly lost = [0, 0, 0, 0];
  stray = 0;
  /** Sum of every reported latency (the end line's check). */
  sum = 0;
  done = false;

  private readonly host: ProbeHost;
  private readonly hooks: Readonly<Record<ModeName, ModeHooks | undefined>>;
  private readonly config: ProbeConfig;
  private readonly rng: Rng;
  private readonly settleUs: number;
  private readonly jitterUs: number;
  private readonly timeoutUs: number;
  private modeIndex = -1;
  private seq = 0;
  private level = 0;
  private armed = false;
  private t0 = 0;
  private onDone: (() => void) | null = null;
  // persistent functions: no closure per sample
  private readonly fireEdge = (): void => this.edge();
  private readonly checkTimeout = (): void => this.timeout();
  private readonly onEdge = (): void => this.delivered1(this.host.now());

  constructor(host: ProbeHost, hooks: Partial<Record<ModeName, ModeHooks>>, config: ProbeConfig) {
    this.host = host;
    this.hooks = { a: hooks.a, b: hooks.b, c: hooks.c, d: hooks.d };
    this.config = config;
    this.modes = config.modes ?? MODE_NAMES;
    this.samples = config.samples;
    this.rng = new Rng(config.seed ?? 1);
    this.settleUs = config.settleUs ?? 2000;
    this.jitterUs = config.jitterUs ?? 3000;
    this.timeoutUs = config.timeoutUs ?? 100000;
    for (const m of this.modes) {
      if (this.hooks[m] === undefined) throw new Error(`ioport probe: no hooks for mode ${m}`);
    }
    if (!Number.isInteger(this.samples) || this.samples < 1) throw new Error(`ioport probe: samples must be a positive integer`);
  }

  /** Emits the header and starts the first mode; `onDone` runs after the end line. */
  start(onDone?: () => void): void {
    this.onDone = onDone ?? null;
    const c = this.config;
    this.host.emit(
      ioplLine(
        `${IOPL_MAGIC} H board=${c.board} n=${this.samples} modes=${this.modes.join(",")} clock=${c.clock} seed=${c.seed ?? 1} settle_us=${this.settleUs} jitter_us=${this.jitterUs}`,
      ),
    );
    this.nextMode();
  }

  private get mode(): ModeName {
    return this.modes[this.modeIndex] as ModeName;
  }

  private nextMode(): void {
    if (this.modeIndex >= 0) {
      (this.hooks[this.mode] as ModeHooks).stop();
      const drain = this.host.drain;
      if (drain !== undefined && this.modeIndex + 1 < this.modes.length) {
        drain.call(this.host, this.startNextMode);
        return;
      }
    }
    this.beginNextMode();
  }

  private readonly startNextMode = (): void => this.beginNextMode();

  private beginNextMode(): void {
    this.modeIndex++;
    if (this.modeIndex >= this.modes.length) {
      this.finish();
      return;
    }
    this.seq = 0;
    (this.hooks[this.mode] as ModeHooks).start(this.onEdge);
    this.schedule();
  }

  private schedule(): void {
    this.host.after(this.settleUs + this.rng.upTo(this.jitterUs), this.fireEdge);
  }

  private edge(): void {
    if (this.done) return;
    this.level ^= 1;
    this.armed = true;
    this.t0 = this.host.now();
    this.host.write(this.level);
    this.host.after(this.timeoutUs, this.checkTimeout);
  }

  private delivered1(t1: number): void {
    if (!this.armed) {
      this.stray++;
      return;
    }
    this.armed = false;
    const latency = t1 - this.t0;
    const m = this.mode;
    this.delivered[modeIndex(m)]++;
    this.sum += latency;
    this.host.emit(ioplLine(`${IOPL_MAGIC} S ${m} ${this.seq} ${latency} ${this.t0}`));
    const stamp = (this.hooks[m] as ModeHooks).stamp;
    if (stamp !== undefined) this.host.emit(ioplLine(`${IOPL_MAGIC} I ${m} ${this.seq} ${Math.round(stamp())}`));
    this.advance();
  }

  private timeout(): void {
    if (!this.armed || this.host.now() - this.t0 < this.timeoutUs) return;
    this.armed = false;
    const m = this.mode;
    this.lost[modeIndex(m)]++;
    this.host.emit(ioplLine(`${IOPL_MAGIC} X ${m} ${this.seq} timeout`));
    this.advance();
  }

  private advance(): void {
    this.seq++;
    if (this.seq >= this.samples) this.nextMode();
    else this.schedule();
  }

  private finish(): void {
    this.done = true;
    const d = this.delivered;
    const l = this.lost;
    const counts = this.modes.map((m) => `${m}=${d[modeIndex(m)] as number}`);
    const total = d.reduce((x, y) => x + y, 0);
    const lost = l.reduce((x, y) => x + y, 0);
    this.host.emit(ioplLine(`${IOPL_MAGIC} E samples=${total} ${counts.join(" ")} lost=${lost} stray=${this.stray} sum=${this.sum}`));
    const cb = this.onDone;
    this.onDone = null;
    if (cb !== null) cb();
  }
}
