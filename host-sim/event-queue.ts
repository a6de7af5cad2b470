/**
 * EventQueue: the simulator's discrete-event queue. A binary min-heap
 * ordered by (time, scheduling order), so events due at the same virtual
 * time run in the order they were scheduled.
 *
 * Scheduling, cancelling and running allocate nothing in steady state, in
 * V8 and in XS alike: event records live in a table that only grows, freed
 * records are linked into a free list (no array push/pop: XS reallocates an
 * array's storage whenever its length changes), and a handle names a
 * record's slot and generation (no Map of live handles: an XS Map allocates
 * an entry per key). Cancellation is lazy (a cancelled record is skipped
 * when it surfaces). Cancelling a handle that has fired, was cancelled or
 * was never issued does nothing.
 *
 * Event sources (below) are streams of events kept outside the heap and
 * merged into the same order.
 */
export type EventCallback = (arg: unknown, now: number) => void;

/**
 * An event stream kept outside the heap: a device model's next byte, say,
 * whose time is computed rather than queued. The queue runs a source's
 * event in the same (time, scheduling order) as a heap event: a source takes
 * its order stamp from `EventQueue.stamp()` at the moment it would have
 * pushed the event, so a run with sources orders every event exactly as a
 * run that pushes them does, at the cost of a comparison instead of two heap
 * operations.
 */
export interface EventSource {
  /** Time of the source's next event; Infinity when it has none. */
  readonly nextTime: number;
  /** The order stamp of that event (EventQueue.stamp()). */
  readonly nextSeq: number;
  /** Runs the next event (time = nextTime). */
  fire(now: number): void;
}

/** Records addressable by a handle: a handle is generation · SLOTS + slot + 1. */
const SLOTS = 1 << 22;

export class SimEvent {
  time = 0;
  seq = 0;
  cb: EventCallback | null = null;
  arg: unknown = null;
  /** Scheduled and neither run nor cancelled. */
  live = false;
  /** Bumped at each reuse, so an old handle no longer matches. */
  gen = 0;
  /** Free-list link. */
  nextFree: SimEvent | null = null;
  constructor(readonly slot: number) {}
}

export class EventQueue {
  private readonly heap: (SimEvent | null)[] = [];
  private size = 0;
  private seq = 0;
  private readonly records: SimEvent[] = [];
  private free: SimEvent | null = null;
  private liveCount = 0;
  private readonly sources: EventSource[] = [];
  /** Events run so far (statistics: progress lines, benchmarks). */
  executed = 0;

  /** Events scheduled and not yet run or cancelled. */
  get length(): number {
    let n = this.liveCount;
    const src = this.sources;
    for (let i = 0; i < src.length; i++) if ((src[i] as EventSource).nextTime !== Infinity) n++;
    return n;
  }

  /** The next scheduling-order stamp, as `push` would give an event now (for an EventSource). */
  stamp(): number {
    return ++this.seq;
  }

  /** Runs `source`'s events in order with the heap's from now on. */
  addSource(source: EventSource): void {
    this.sources.push(source);
  }

  push(time: number, cb: EventCallback, arg: unknown): number {
    let ev = this.free;
    if (ev !== null) this.free = ev.nextFree;
    else {
      const slot = this.records.length;
      if (slot === SLOTS) throw new RangeError(`ioport: more than ${SLOTS} simulator events pending at once`);
      ev = new SimEvent(slot);
      this.records.push(ev);
    }
    ev.nextFree = null;
    ev.time = time;
    ev.seq = ++this.seq;
    ev.cb = cb;
    ev.arg = arg;
    ev.live = true;
    ev.gen++;
    this.liveCount++;
    const heap = this.heap;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = heap[p] as SimEvent;
      if (!before(ev, parent)) break;
      heap[i] = parent;
      i = p;
    }
    heap[i] = ev;
    return ev.gen * SLOTS + ev.slot + 1;
  }

  cancel(handle: number): void {
    const ev = this.lookup(handle);
    if (ev === null) return;
    ev.live = false;
    this.liveCount--;
  }

  /**
   * Fault injection (a late timer, a slow device): the event `handle` runs
   * `ns` later (ns >= 0), after everything already scheduled for its new
   * time, keeping its handle. Returns false, doing nothing, when the handle
   * is not live.
   */
  delay(handle: number, ns: number): boolean {
    const ev = this.lookup(handle);
    if (ev === null || !(ns >= 0)) return false;
    ev.time += ns;
    ev.seq = ++this.seq;
    // later only: the record sinks from where it is
    this.siftDown(this.heap.indexOf(ev), ev);
    return true;
  }

  /** The next heap event (not a source's), or null: for a stepper that batches it (Simulator). */
  peekEvent(): SimEvent | null {
    this.dropCancelled();
    return this.size > 0 ? (this.heap[0] as SimEvent) : null;
  }

  /** The handle `push` returned for `ev` (live or not). */
  handleOf(ev: SimEvent): number {
    return ev.gen * SLOTS + ev.slot + 1;
  }

  /**
   * A lower bound on the time of every live event other than the heap's
   * top: the top's children (the second-earliest heap event is one of them;
   * a cancelled one only lowers the bound) and the sources. Infinity if none.
   */
  timeAfterTop(): number {
    let t = Infinity;
    const heap = this.heap;
    if (this.size > 1) t = (heap[1] as SimEvent).time;
    if (this.size > 2 && (heap[2] as SimEvent).time < t) t = (heap[2] as SimEvent).time;
    const src = this.sources;
    for (let i = 0; i < src.length; i++) {
      const st = (src[i] as EventSource).nextTime;
      if (st < t) t = st;
    }
    return t;
  }

  /** The live record `handle` names, or null (fired, cancelled, reused, never issued). */
  private lookup(handle: number): SimEvent | null {
    if (!Number.isInteger(handle) || handle < 1) return null;
    const slot = (handle - 1) % SLOTS;
    const ev = this.records[slot];
    if (ev === undefined || !ev.live || ev.gen !== (handle - 1 - slot) / SLOTS) return null;
    return ev;
  }

  /** Time of the next live event, or Infinity. */
  peekTime(): number {
    this.dropCancelled();
    let t = this.size > 0 ? (this.heap[0] as SimEvent).time : Infinity;
    const src = this.sources;
    for (let i = 0; i < src.length; i++) {
      const st = (src[i] as EventSource).nextTime;
      if (st < t) t = st;
    }
    return t;
  }

  /** Removes the next live event and runs it. Returns false when none is due at or before `limit`. */
  runNext(limit: number, setNow: (t: number) => void): boolean {
    this.dropCancelled();
    const ev = this.size > 0 ? (this.heap[0] as SimEvent) : null;
    const src = this.sources;
    if (src.length !== 0) {
      // a source's event first when it is earlier, or as early and stamped first
      let best: EventSource | null = null;
      let bt = ev !== null ? ev.time : Infinity;
      let bs = ev !== null ? ev.seq : Infinity;
      for (let i = 0; i < src.length; i++) {
        const s = src[i] as EventSource;
        const t = s.nextTime;
        if (t < bt || (t === bt && t !== Infinity && s.nextSeq < bs)) {
          best = s;
          bt = t;
          bs = s.nextSeq;
        }
      }
      if (best !== null) {
        if (bt > limit) return false;
        setNow(bt);
        this.executed++;
        best.fire(bt);
        return true;
      }
    }
    if (ev === null || ev.time > limit) return false;
    this.popTop();
    const cb = ev.cb as EventCallback;
    const arg = ev.arg;
    const t = ev.time;
    ev.live = false;
    this.liveCount--;
    this.release(ev);
    setNow(t);
    this.executed++;
    cb(arg, t);
    return true;
  }

  private release(ev: SimEvent): void {
    ev.cb = null;
    ev.arg = null;
    ev.nextFree = this.free;
    this.free = ev;
  }

  private dropCancelled(): void {
    while (this.size > 0 && !(this.heap[0] as SimEvent).live) this.release(this.popTop());
  }

  private popTop(): SimEvent {
    const heap = this.heap;
    const top = heap[0] as SimEvent;
    const last = heap[--this.size] as SimEvent;
    heap[this.size] = null;
    if (this.size > 0) this.siftDown(0, last);
    return top;
  }

  /** Puts `ev` at heap index `i` or below, moving earlier children up past it. */
  private siftDown(i: number, ev: SimEvent): void {
    const heap = this.heap;
    const n = this.size;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && before(heap[r] as SimEvent, heap[l] as SimEvent)) c = r;
      if (!before(heap[c] as SimEvent, ev)) break;
      heap[i] = heap[c] as SimEvent;
      i = c;
    }
    heap[i] = ev;
  }
}

function before(a: SimEvent, b: SimEvent): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
