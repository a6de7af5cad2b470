/**
 * Fakes of the hardware boundary for the Moddable driver tests: ECMA-419
 * `Digital`, `Serial`, `SPI`, Moddable's `timer` module and a microsecond
 * clock, following @moddable/typings and Moddable's documented behaviour:
 * - timers: `Timer.schedule(t)` unschedules; a timer whose repeat interval
 *   is 0 when its callback returns is cleared; a callback may reschedule;
 * - Digital: an edge posts one `onReadable` message per pin; edges before
 *   JS runs merge into it (no count, no timestamp);
 * - Serial: `write(byte)` on a full transmit FIFO throws "tx full" (as the
 *   Pico implementation does); `onWritable(free)` is posted when room
 *   appears; `onReadable(available)` when bytes arrive;
 * - SPI: synchronous `transfer(buffer)` in place; `flush(true)` deselects.
 * They are the world the drivers run in, not the code under test.
 */
import type { DigitalOptions, SerialOptions, SpiOptions } from "../../drivers/moddable/io-types.js";

export class FakeWorld {
  /** Microseconds since boot. */
  us = 0;
  /** Posted host messages (ECMA-419 callbacks), run by `runMessages`. */
  messages: (() => void)[] = [];
  readonly timers = new FakeTimers(this);
  readonly microseconds = (): number => this.us;

  /** Runs posted callbacks, then due timers, until nothing is due at the current time. */
  settle(): void {
    for (let guard = 0; guard < 10000; guard++) {
      if (this.messages.length > 0) {
        const m = this.messages.shift() as () => void;
        m();
        continue;
      }
      if (!this.timers.runOne()) return;
    }
    throw new Error("FakeWorld.settle: livelock");
  }

  /** Moves time forward by `us`, firing timers at their due times. */
  advanceUs(us: number): void {
    const end = this.us + us;
    this.settle();
    for (;;) {
      const next = this.timers.nextDueUs();
      if (next > end) break;
      this.us = Math.max(this.us, next);
      this.settle();
    }
    this.us = end;
    this.settle();
  }
}

export interface FakeTimer {
  id: number;
  cb: (t: FakeTimer) => void;
  dueUs: number;
  repeatMs: number;
  cleared: boolean;
  gen: number;
}

export class FakeTimers {
  created = 0;
  scheduleCalls = 0;
  /** Added to every interval: a host timer that fires this much early (negative) or late. */
  skewUs = 0;
  private readonly live: FakeTimer[] = [];
  constructor(private readonly world: FakeWorld) {}

  // the `timer` module's API
  readonly repeat = (cb: (t: FakeTimer) => void, interval: number): FakeTimer => {
    const t: FakeTimer = { id: ++this.created, cb, dueUs: this.world.us + interval * 1000, repeatMs: interval, cleared: false, gen: 0 };
    this.live.push(t);
    return t;
  };
  readonly schedule = (t: FakeTimer, interval?: number, repeat?: number): void => {
    this.scheduleCalls++;
    t.gen++;
    if (interval === undefined) {
      t.dueUs = Infinity;
      t.repeatMs = Infinity;
      return;
    }
    t.dueUs = this.world.us + interval * 1000 + this.skewUs;
    t.repeatMs = repeat ?? 0;
  };
  readonly clear = (t: FakeTimer | undefined | null): void => {
    if (!t) return;
    t.cleared = true;
    const i = this.live.indexOf(t);
    if (i >= 0) this.live.splice(i, 1);
  };

  get liveCount(): number {
    return this.live.length;
  }

  nextDueUs(): number {
    let m = Infinity;
    for (const t of this.live) m = Math.min(m, t.dueUs);
    return m;
  }

  /** Fires the earliest due timer; false if none is due. */
  runOne(): boolean {
    let best: FakeTimer | null = null;
    for (const t of this.live) if (t.dueUs <= this.world.us && (best === null || t.dueUs < best.dueUs)) best = t;
    if (best === null) return false;
    const gen = best.gen;
    best.cb(best);
    if (best.cleared || best.gen !== gen) return true;
    if (best.repeatMs === 0) this.clear(best);
    else best.dueUs = best.dueUs + best.repeatMs * 1000;
    return true;
  }
}

// ---- Digital ----

export class FakePins {
  levels = new Map<number, number>();
  instances: FakeDigital[] = [];
  /** Pins whose Digital constructor throws (reserved pins). */
  reserved = new Set<number>();

  constructor(readonly world: FakeWorld) {}

  /** The world drives input `pin`: edges post one merged onReadable per pin. */
  drive(pin: number, level: number): void {
    const old = this.levels.get(pin) ?? 0;
    if (old === level) return;
    this.levels.set(pin, level);
    for (const d of this.instances) d.edge(pin, old, level);
  }

  makeClass() {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const pins = this;
    return class Digital extends FakeDigital {
      static readonly Input = "Input";
      static readonly InputPullUp = "InputPullUp";
      static readonly InputPullDown = "InputPullDown";
      static readonly Output = "Output";
      static readonly Rising = 1;
      static readonly Falling = 2;
      constructor(options: DigitalOptions) {
        super(pins, options);
      }
    };
  }
}

export class FakeDigital {
  closed = false;
  posted = false;
  readonly writes: number[] = [];
  constructor(
    readonly pins: FakePins,
    readonly options: DigitalOptions,
  ) {
    if (pins.reserved.has(options.pin)) throw new Error(`pin ${options.pin} in use`);
    if (pins.instances.some((d) => !d.closed && d.options.pin === options.pin)) throw new Error(`pin ${options.pin} already open`);
    pins.instances.push(this);
  }
  edge(pin: number, old: number, level: number): void {
    const o = this.options;
    if (this.closed || o.pin !== pin || o.onReadable === undefined || o.edge === undefined) return;
    const want = level > old ? 1 : 2;
    if ((o.edge & want) === 0 || this.posted) return;
    this.posted = true;
    this.pins.world.messages.push(() => {
      this.posted = false;
      if (!this.closed) o.onReadable?.call(this);
    });
  }
  read(): number {
    return this.pins.levels.get(this.options.pin) ?? 0;
  }
  write(value: 0 | 1): void {
    if (this.options.mode !== "Output") throw new Error("write on an input");
    this.writes.push(value);
    this.pins.drive(this.options.pin, value);
  }
  close(): void {
    this.closed = true;
  }
}

// ---- Serial ----

export class FakeSerialPort {
  instance: FakeSerial | null = null;
  wire: number[] = [];
  constructor(
    readonly world: FakeWorld,
    readonly txFifo = 8,
  ) {}

  makeClass() {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const port = this;
    return class Serial extends FakeSerial {
      constructor(options: SerialOptions) {
        super(port, options);
      }
    };
  }
}

export class FakeSerial {
  rx: number[] = [];
  tx: number[] = [];
  writesWhenFull = 0;
  private readablePosted = false;
  private writablePosted = false;
  constructor(
    readonly port: FakeSerialPort,
    readonly options: SerialOptions,
  ) {
    port.instance = this;
    this.postWritable(); // as Moddable does at construction
  }
  /** Bytes arrive from the peer. */
  arrive(bytes: string | number[]): void {
    const a = typeof bytes === "string" ? [...bytes].map((c) => c.charCodeAt(0)) : bytes;
    this.rx.push(...a);
    if (this.readablePosted) return;
    this.readablePosted = true;
    this.port.world.messages.push(() => {
      this.readablePosted = false;
      if (this.rx.length > 0) this.options.onReadable.call(this, this.rx.length);
    });
  }
  /** The transmitter sends `n` bytes from the FIFO to the wire. */
  drain(n = Infinity): void {
    const k = Math.min(n, this.tx.length);
    this.port.wire.push(...this.tx.splice(0, k));
    if (k > 0) this.postWritable();
  }
  private postWritable(): void {
    if (this.writablePosted) return;
    this.writablePosted = true;
    this.port.world.messages.push(() => {
      this.writablePosted = false;
      const free = this.port.txFifo - this.tx.length;
      if (free > 0) this.options.onWritable.call(this, free);
    });
  }
  /** As Moddable's "number" format: one byte, or an exception when its buffer is empty. */
  read(): number {
    const b = this.rx.shift();
    if (b === undefined) throw new Error("no data");
    return b;
  }
  write(value: number): void {
    if (this.tx.length >= this.port.txFifo) {
      this.writesWhenFull++;
      throw new Error("tx full");
    }
    this.tx.push(value & 0xff);
  }
  close(): void {}
}

// ---- SPI ----

export class FakeSpiBus {
  instance: FakeSpi | null = null;
  /** Each chip-select frame: the bytes clocked out. */
  frames: number[][] = [];
  /** The device: MISO for a frame (default: each byte inverted). */
  device = (mosi: number[]): number[] => mosi.map((b) => b ^ 0xff);
  constructor(readonly world: FakeWorld) {}

  makeClass() {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const bus = this;
    return class SPI extends FakeSpi {
      constructor(options: SpiOptions) {
        super(bus, options);
      }
    };
  }
}

export class FakeSpi {
  private current: number[] | null = null;
  flushes = 0;
  constructor(
    readonly bus: FakeSpiBus,
    readonly options: SpiOptions,
  ) {
    bus.instance = this;
  }
  transfer(buffer: Uint8Array): void {
    const mosi = Array.from(buffer);
    const miso = this.bus.device(mosi);
    for (let i = 0; i < buffer.length; i++) buffer[i] = miso[i] ?? 0xff;
    if (this.current === null) this.current = [];
    this.current.push(...mosi);
  }
  flush(deselect?: boolean): void {
    this.flushes++;
    if (deselect && this.current !== null) {
      this.bus.frames.push(this.current);
      this.current = null;
    }
  }
}
