// The simulator's event queue: (time, scheduling order), lazy cancellation,
// and handles that stay dead once their event ran or was cancelled, even
// after the record is reused for another event.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventQueue } from "../host-sim/index.js";

function drain(q: EventQueue, limit = Infinity): number[] {
  const ran: number[] = [];
  let now = 0;
  while (q.runNext(limit, (t) => (now = t))) ran.push(now);
  return ran;
}

describe("EventQueue", () => {
  it("runs events by time, and in scheduling order at equal times", () => {
    const q = new EventQueue();
    const seen: string[] = [];
    const cb = (arg: unknown): void => {
      seen.push(arg as string);
    };
    q.push(20, cb, "c");
    q.push(10, cb, "a");
    q.push(20, cb, "d");
    q.push(10, cb, "b");
    expect(q.length).toBe(4);
    expect(drain(q)).toEqual([10, 10, 20, 20]);
    expect(seen).toEqual(["a", "b", "c", "d"]);
    expect(q.length).toBe(0);
  });

  it("a handle cancels its own event only: not after it ran, not once its record is reused", () => {
    const q = new EventQueue();
    const seen: string[] = [];
    const cb = (arg: unknown): void => {
      seen.push(arg as string);
    };
    const h1 = q.push(5, cb, "first");
    drain(q);
    const h2 = q.push(7, cb, "second"); // reuses first's record
    expect(h2).not.toBe(h1);
    q.cancel(h1); // stale: must not cancel "second"
    q.cancel(0);
    q.cancel(-3);
    q.cancel(1.5);
    q.cancel(Number.MAX_SAFE_INTEGER);
    expect(q.length).toBe(1);
    drain(q);
    expect(seen).toEqual(["first", "second"]);
    const h3 = q.push(9, cb, "third");
    q.cancel(h3);
    q.cancel(h3); // twice: still one cancellation
    expect(q.length).toBe(0);
    expect(q.peekTime()).toBe(Infinity);
    expect(drain(q)).toEqual([]);
  });

  it("delay (a late timer): the event runs later, after what was already due then, and keeps its handle", () => {
    const q = new EventQueue();
    const seen: string[] = [];
    const cb = (arg: unknown): void => {
      seen.push(arg as string);
    };
    const late = q.push(10, cb, "late");
    q.push(30, cb, "at 30");
    q.push(20, cb, "at 20");
    expect(q.delay(late, 20)).toBe(true); // now at 30, after "at 30"
    expect(q.peekTime()).toBe(20);
    expect(drain(q)).toEqual([20, 30, 30]);
    expect(seen).toEqual(["at 20", "at 30", "late"]);
    expect(q.delay(late, 5)).toBe(false); // it ran
    const h = q.push(50, cb, "cancelled after a delay");
    expect(q.delay(h, 1)).toBe(true);
    expect(q.delay(h, -1)).toBe(false);
    q.cancel(h); // the same handle still cancels it
    expect(drain(q)).toEqual([]);
    expect(seen).toHaveLength(3);
  });

  it("matches a reference model under random pushes, cancels and partial runs", () => {
    type Op = { kind: "push"; t: number } | { kind: "cancel"; pick: number } | { kind: "run"; limit: number };
    const op = fc.oneof(
      fc.record({ kind: fc.constant("push" as const), t: fc.integer({ min: 0, max: 50 }) }),
      fc.record({ kind: fc.constant("cancel" as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant("run" as const), limit: fc.integer({ min: 0, max: 60 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops: Op[]) => {
        const q = new EventQueue();
        const handles: number[] = [];
        // model: live events as { id, t, seq }
        let model: { id: number; t: number; seq: number }[] = [];
        let seq = 0;
        const ran: number[] = [];
        const modelRan: number[] = [];
        let now = 0;
        for (const o of ops) {
          if (o.kind === "push") {
            const t = Math.max(o.t, now);
            const id = handles.length;
            handles.push(q.push(t, (arg) => ran.push(arg as number), id));
            model.push({ id, t, seq: seq++ });
          } else if (o.kind === "cancel") {
            if (handles.length === 0) continue;
            const id = o.pick % handles.length;
            q.cancel(handles[id] as number);
            model = model.filter((e) => e.id !== id);
          } else {
            while (q.runNext(o.limit, (t) => (now = t)));
            model.sort((a, b) => a.t - b.t || a.seq - b.seq);
            while (model.length > 0 && (model[0] as { t: number }).t <= o.limit) modelRan.push((model.shift() as { id: number }).id);
            now = Math.max(now, 0);
          }
          expect(q.length).toBe(model.length);
        }
        expect(ran).toEqual(modelRan);
      }),
      { numRuns: 300 },
    );
  });

  it("runs an event source's events in (time, stamp) order with the heap's, and counts them", () => {
    const q = new EventQueue();
    const seen: string[] = [];
    const cb = (arg: unknown): void => {
      seen.push(arg as string);
    };
    // a source stamped between two heap events of the same time runs between them
    const src = {
      nextTime: Infinity,
      nextSeq: 0,
      left: 2,
      fire(now: number): void {
        seen.push(`src@${now}`);
        this.nextTime = --this.left > 0 ? now + 5 : Infinity;
        this.nextSeq = q.stamp();
      },
    };
    q.addSource(src);
    q.push(10, cb, "a");
    src.nextTime = 10;
    src.nextSeq = q.stamp();
    q.push(10, cb, "b");
    q.push(15, cb, "c"); // stamped before the source's second event (stamped when it fires at 10)
    expect(q.length).toBe(4);
    expect(q.peekTime()).toBe(10);
    expect(drain(q)).toEqual([10, 10, 10, 15, 15]);
    expect(seen).toEqual(["a", "src@10", "b", "c", "src@15"]);
    expect(q.executed).toBe(5);
    expect(q.length).toBe(0);
    expect(q.peekTime()).toBe(Infinity);
  });
});
