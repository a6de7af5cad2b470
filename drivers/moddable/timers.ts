/**
 * Platform timers on Moddable: `Platform.schedule`/`cancel` at nanosecond
 * deadlines on top of the `timer` module (milliseconds).
 *
 * - One host timer for the whole queue, made once and re-armed with
 *   `Timer.schedule` for the earliest deadline: scheduling and cancelling
 *   allocate nothing in steady state (records are pooled), and the host's
 *   timer list stays one entry long however many kernel timers are live.
 * - Never early: a host timer may fire up to a tick before the microsecond
 *   clock says the deadline has come; such a record waits for the next
 *   arm (at least 1 ms later). Resolution is therefore 1 ms, lateness up to
 *   about 1 ms plus the main loop's latency.
 * - Timers due at the same time fire in scheduling order (a sorted list
 *   that inserts after equal deadlines).
 * - A handle is `generation · 65536 + slot + 1`: cancelling a fired or
 *   unknown handle is a no-op because the generation no longer matches.
 */
import type { TimerCallback } from "../../core/platform.js";
import type { TimerApi } from "./io-types.js";
import { KEEP_ALIVE_MS } from "./step.js";

function noWake(): void {}

const SLOTS = 65536;

class TimerRecord {
  at = 0;
  cb: TimerCallback | null = null;
  arg: unknown = null;
  prev: TimerRecord | null = null;
  next: TimerRecord | null = null;
  gen = 0;
  constructor(readonly slot: number) {}
}

export class ModdableTimers<T> {
  private readonly timerApi: TimerApi<T>;
  private readonly clock: () => number;
  private readonly timer: T;
  private readonly records: TimerRecord[] = [];
  private free: TimerRecord | null = null;
  private head: TimerRecord | null = null;
  private tail: TimerRecord | null = null;
  /** Deadline the host timer is armed for (Infinity: unarmed). */
  private armedFor = Infinity;
  private firing = false;
  private readonly wake: () => void;

  /** `wake`: see promiseWake in step.ts; called when the host timer is armed earlier than before outside our own callback. */
  constructor(timerApi: TimerApi<T>, clock: () => number, wake: () => void = noWake) {
    this.timerApi = timerApi;
    this.clock = clock;
    this.wake = wake;
    this.timer = timerApi.repeat(() => this.fire(), KEEP_ALIVE_MS);
    timerApi.schedule(this.timer);
  }

  /** Live (scheduled, not yet fired or cancelled) timers. */
  get size(): number {
    let n = 0;
    for (let r = this.head; r !== null; r = r.next) n++;
    return n;
  }

  schedule(atNs: number, cb: TimerCallback, arg: unknown): number {
    let r = this.free;
    if (r !== null) this.free = r.next;
    else {
      if (this.records.length === SLOTS) throw new RangeError(`ioport: more than ${SLOTS} platform timers live at once`);
      r = new TimerRecord(this.records.length);
      this.records.push(r);
    }
    r.at = atNs;
    r.cb = cb;
    r.arg = arg;
    r.gen++;
    // insert after every record due at or before atNs (FIFO among equals);
    // walk from the tail: new deadlines are usually the latest
    let after = this.tail;
    while (after !== null && after.at > atNs) after = after.prev;
    r.prev = after;
    r.next = after === null ? this.head : after.next;
    if (r.next !== null) r.next.prev = r;
    else this.tail = r;
    if (after !== null) after.next = r;
    else this.head = r;
    if (!this.firing && r === this.head) this.arm();
    return r.gen * SLOTS + r.slot + 1;
  }

  cancel(handle: number): void {
    if (typeof handle !== "number" || !(handle > 0)) return;
    const slot = (handle - 1) % SLOTS;
    const gen = (handle - 1 - slot) / SLOTS;
    const r = this.records[slot];
    if (r === undefined || r.gen !== gen || r.cb === null) return;
    const wasHead = r === this.head;
    this.unlink(r);
    this.release(r);
    if (!this.firing && wasHead) this.arm();
  }

  private unlink(r: TimerRecord): void {
    if (r.prev !== null) r.prev.next = r.next;
    else this.head = r.next;
    if (r.next !== null) r.next.prev = r.prev;
    else this.tail = r.prev;
    r.prev = null;
    r.next = null;
  }

  private release(r: TimerRecord): void {
    r.cb = null;
    r.arg = null;
    r.next = this.free;
    this.free = r;
  }

  /** Arms the host timer for the earliest deadline, or disarms it. */
  private arm(fromFire = false): void {
    const h = this.head;
    if (h === null) {
      if (this.armedFor !== Infinity) this.timerApi.schedule(this.timer);
      this.armedFor = Infinity;
      return;
    }
    const delay = h.at - this.clock();
    const ms = delay <= 0 ? 0 : Math.ceil(delay / 1e6);
    const earlier = h.at < this.armedFor;
    this.armedFor = h.at;
    this.timerApi.schedule(this.timer, ms, KEEP_ALIVE_MS);
    // from fire() the loop recomputes its sleep after the timers ran; from anywhere else it may be asleep past this deadline
    if (earlier && !fromFire) this.wake();
  }

  /** The host timer fired: runs every record due by now, in order, then re-arms. */
  private fire(): void {
    this.firing = true;
    this.armedFor = Infinity;
    try {
      const now = this.clock();
      for (;;) {
        const r = this.head;
        if (r === null || r.at > now) break;
        this.unlink(r);
        const cb = r.cb as TimerCallback;
        const arg = r.arg;
        this.release(r);
        cb(arg, now);
      }
    } finally {
      this.firing = false;
      this.arm(true);
    }
  }
}
