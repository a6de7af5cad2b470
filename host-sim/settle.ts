/**
 * settle(): resolves after every promise continuation that is runnable now
 * has run. Where the host has setImmediate (Node, xsnap), one macrotask turn
 * drains the whole microtask queue; elsewhere a bounded microtask loop is the
 * best a portable engine offers.
 */
type Immediate = (cb: () => void) => unknown;

export function settle(): Promise<void> {
  const si = (globalThis as { setImmediate?: Immediate }).setImmediate;
  if (typeof si === "function") {
    return new Promise<void>((resolve) => {
      si(resolve);
    });
  }
  return microtaskTurns(64);
}

async function microtaskTurns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve();
}

type Tick = (cb: () => void) => void;

/**
 * drain(): resolves once every promise continuation runnable now has run,
 * like settle(), without a macrotask turn where the host can do better. In
 * Node, a process.nextTick callback queued from a continuation runs only
 * once the microtask queue is empty (chains queued meanwhile included), so
 * resolving from it is the same point settle() reaches, at a fraction of an
 * event-loop turn's cost. Elsewhere it is settle().
 */
export function drain(): Promise<void> {
  const tick = (globalThis as { process?: { nextTick?: Tick } }).process?.nextTick;
  if (typeof tick === "function") {
    return new Promise<void>((resolve) => {
      tick(resolve);
    });
  }
  return settle();
}

/**
 * The drain() hop without a promise, for a stepper that runs as a chain of
 * microtasks: returns a function that, called from a microtask, runs `cb`
 * as a microtask once every continuation runnable now has run (a nextTick
 * queued from a microtask runs when the microtask queue is empty; it queues
 * `cb` through a resolved promise: Node's queueMicrotask builds an async
 * resource per call, which costs more). Undefined where the host lacks
 * process.nextTick.
 */
export function drainHop(cb: () => void): (() => void) | undefined {
  const tick = (globalThis as { process?: { nextTick?: Tick } }).process?.nextTick;
  if (typeof tick !== "function") return undefined;
  const done = Promise.resolve();
  const resume = (): void => {
    void done.then(cb);
  };
  return () => tick(resume);
}

type Immediately = (cb: () => void) => unknown;

/**
 * A synchronous drain, where the host has one: a function that runs every
 * promise continuation and nextTick callback runnable now — chains queued
 * meanwhile included — and returns once both queues are empty. The point
 * drain() and settle() reach, reached without leaving the caller: no hop,
 * no allocation, next to nothing when the queues are already empty.
 *
 * Node has it as `process._tickCallback` (its `runNextTicks`, what Node
 * itself calls between two timer callbacks for the same purpose). V8 runs
 * no microtask checkpoint while a microtask is running, so it only works
 * from a macrotask or nextTick callback: `syncDrainProbe` checks that it
 * does, where it is about to be used. Undefined elsewhere (XS).
 */
export function syncDrain(): (() => void) | undefined {
  const p = (globalThis as { process?: { _tickCallback?: unknown; nextTick?: Tick } }).process;
  const f = p?._tickCallback;
  if (typeof f !== "function" || typeof p?.nextTick !== "function") return undefined;
  return f.bind(p) as () => void;
}

/**
 * Whether `drain` (from syncDrain) runs continuations where it is called
 * now: queues one, drains, and looks. False inside a microtask, where the
 * engine defers the checkpoint.
 */
export function syncDrainProbe(drain: () => void): boolean {
  let ran = false;
  void Promise.resolve().then(() => {
    ran = true;
  });
  drain();
  return ran;
}

/**
 * Runs `cb` from a macrotask once every continuation runnable now has run
 * (setImmediate: the settle() point), so that syncDrain works inside it.
 * Undefined where the host lacks setImmediate.
 */
export function fromMacrotask(): ((cb: () => void) => void) | undefined {
  const si = (globalThis as { setImmediate?: Immediately }).setImmediate;
  if (typeof si !== "function") return undefined;
  return (cb) => {
    si(cb);
  };
}
