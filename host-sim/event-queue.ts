/**
 * EventQueue: the simulator's discrete-event queue. A binary min-heap
 * ordered by (time, scheduling order), so events due at the same virtual
 * time run in the order they were scheduled. Event records are pooled and
 * cancellation is lazy (a cancelled record is skipped when it surfaces), so
 * scheduling in steady state allocates nothing.
 */
export type EventCallback = (arg: unknown, now: number) => void;

export class SimEvent {
  time = 0;
  seq = 0;
  handle = 0;
  cb: EventCallback | null = null;
  arg: unknown = null;
  cancelled = false;
}

export class EventQueue {
  private heap: SimEvent[] = [];
  private size = 0;
  private seq = 0;
  private pool: SimEvent[] = [];
  /** Live (scheduled, not cancelled) events by handle. */
  private live = new Map<number, SimEvent>();
  /** Events run so far (statistics: progress lines, benchmarks). */
  executed = 0;

  get length(): number {
    return this.live.size;
  }

  push(time: number, cb: EventCallback, arg: unknown): number {
    const ev = this.pool.pop() ?? new SimEvent();
    ev.time = time;
    ev.seq = ++this.seq;
    ev.handle = ev.seq;
    ev.cb = cb;
    ev.arg = arg;
    ev.cancelled = false;
    this.live.set(ev.handle, ev);
    const heap = this.heap;
    let i = this.size++;
    heap[i] = ev;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = heap[p] as SimEvent;
      if (!before(ev, parent)) break;
      heap[i] = parent;
      i = p;
    }
    heap[i] = ev;
    return ev.handle;
  }

  cancel(handle: number): void {
    const ev = this.live.get(handle);
    if (ev === undefined) return;
    ev.cancelled = true;
    this.live.delete(handle);
  }

  /** Time of the next live event, or Infinity. */
  peekTime(): number {
    this.dropCancelled();
    return this.size > 0 ? (this.heap[0] as SimEvent).time : Infinity;
  }

  /** Removes the next live event and runs it. Returns false when none is due at or before `limit`. */
  runNext(limit: number, setNow: (t: number) => void): boolean {
    this.dropCancelled();
    if (this.size === 0) return false;
    const ev = this.heap[0] as SimEvent;
    if (ev.time > limit) return false;
    this.popTop();
    this.live.delete(ev.handle);
    const cb = ev.cb as EventCallback;
    const arg = ev.arg;
    const t = ev.time;
    ev.cb = null;
    ev.arg = null;
    this.pool.push(ev);
    setNow(t);
    this.executed++;
    cb(arg, t);
    return true;
  }

  private dropCancelled(): void {
    while (this.size > 0 && (this.heap[0] as SimEvent).cancelled) {
      const ev = this.popTop();
      ev.cb = null;
      ev.arg = null;
      this.pool.push(ev);
    }
  }

  private popTop(): SimEvent {
    const heap = this.heap;
    const top = heap[0] as SimEvent;
    const last = heap[--this.size] as SimEvent;
    heap[this.size] = undefined as unknown as SimEvent;
    if (this.size > 0) {
      let i = 0;
      const n = this.size;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        if (r < n && before(heap[r] as SimEvent, heap[l] as SimEvent)) c = r;
        if (!before(heap[c] as SimEvent, last)) break;
        heap[i] = heap[c] as SimEvent;
        i = c;
      }
      heap[i] = last;
    }
    return top;
  }
}

function before(a: SimEvent, b: SimEvent): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
