// The interrupt fast path (core/objects/direct.ts) must be invisible: an
// interrupt delivered straight into an idle port's callback waiter has to
// leave exactly the bytes, callbacks, syscall results and errors that the
// general path (post → leave → flush → deliver → reap → callback) leaves.
// So every random program here runs twice and the two recordings must be
// equal: once plainly, where the fast path is taken whenever its conditions
// hold, and once with every interrupt arriving inside a kernel entry, which
// forces the general path. There each GPIO edge is driven between
// kernel.enter() and leave(), and time advances one platform event at a
// time, each event (a timer line's expiry among them) run between enter()
// and leave(). A bracket holds exactly one stimulus, so its leave() flushes
// just what the general path would flush at the end of that interrupt.
// The same idea checks io_submit's NOP raw slots (the aligned, untraced fast
// loop) against the per-entry path taken by misaligned or traced arrays.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  EINPROGRESS,
  ENOENT,
  IOCQE_F_MORE,
  IOSQE_MULTISHOT,
  IRQ_FALLING,
  IRQ_ONESHOT,
  IRQ_PERIODIC,
  IRQ_RISING,
  IRQ_TIMER_BASE,
  IrqLine,
  KIND_PORT,
  OP_IRQ_WAIT,
  OP_NOP,
  OP_TIMEOUT,
  Port,
  decodeCompletion,
  encodeSubmission,
  type KernelTracer,
  type Op,
  type Task,
} from "../core/index.js";
import { Simulator } from "../host-sim/index.js";

// IrqLine.add is the general path's first step (raise and timer expiry call
// it exactly when deliverIrq declined), so counting its calls tells how many
// interrupts took the fast path: in the forced run every interrupt calls it.
// deliverIrq itself is an ESM binding and cannot be spied on; add is a
// prototype method called through the instance, so it can.
let addCalls = 0;
beforeAll(() => {
  const add = IrqLine.prototype.add;
  vi.spyOn(IrqLine.prototype, "add").mockImplementation(function (this: IrqLine, firstNs: number, level: number, n: number) {
    addCalls++;
    add.call(this, firstNs, level, n);
  });
});
afterAll(() => {
  vi.restoreAllMocks();
});

const T0 = IRQ_TIMER_BASE;
const PINS = [3, 5, 9] as const;

// ---- the program ----

type LineSpec = { kind: "pin"; pin: number; flags: number } | { kind: "timer"; line: number; flags: number; period: number };

/** Where an arm's IrqEvent goes: nowhere, an aligned or a misaligned buffer of its own. */
type Buf = "none" | "aligned" | "odd";

type Act =
  | { k: "arm"; line: number; port: number; multi: boolean; buf: Buf }
  | { k: "wait"; port: number; max: number; min: number; timeout: number; skew: number }
  | { k: "watch"; port: number; max: number; skew: number }
  | { k: "unwatch"; port: number }
  | { k: "nop"; port: number; count: number }
  | { k: "cancel"; port: number; ud: number }
  | { k: "closeLine"; line: number }
  | { k: "closePort"; port: number }
  // an edge on the pin of the `pin`-th GPIO line of the program (any pin if it
  // has none); from a callback it is an interrupt arriving during user code
  | { k: "edge"; pin: number }
  // the driver loop's step: arm, then wait (or watch) on the same port
  | { k: "loop"; line: number; port: number; multi: boolean; buf: Buf; watch: boolean; max: number; min: number; timeout: number; skew: number };

/**
 * What the i-th callback does (cycled): with `again`, what a driver loop
 * does — re-arm each one-shot arm it was given and wait again the same way;
 * then some other syscalls, then maybe a throw.
 */
interface Reaction {
  again: boolean;
  acts: Act[];
  throws: boolean;
}

/**
 * Time passing; or the next expiry of the `line`-th armed timer line put
 * off by `ns`, as a late platform timer would be: its expiry then counts
 * every period that has elapsed (n > 1 in one completion).
 */
type Stim = Extract<Act, { k: "edge" }> | { k: "advance"; ns: number } | { k: "late"; line: number; ns: number };

interface Program {
  cq: number;
  ports: number;
  lines: LineSpec[];
  init: Act[];
  reactions: Reaction[];
  stim: Stim[];
}

const idx = fc.nat(7);
// `out` 0, 1 or 2 bytes past an aligned address: 1 and 2 are the misaligned stores
const skew = fc.constantFrom(0, 0, 1, 2);

const armAct = fc.record({
  k: fc.constant("arm" as const),
  line: idx,
  port: idx,
  multi: fc.boolean(),
  buf: fc.constantFrom<Buf>("none", "aligned", "aligned", "odd"),
});
const waitAct = fc.record({
  k: fc.constant("wait" as const),
  port: idx,
  max: fc.integer({ min: 1, max: 4 }),
  min: fc.constantFrom(1, 1, 1, 2),
  timeout: fc.constantFrom(0, 0, 0, 150, 900, 2500),
  skew,
});
const watchAct = fc.record({ k: fc.constant("watch" as const), port: idx, max: fc.integer({ min: 1, max: 4 }), skew });

const loopAct = fc.record({
  k: fc.constant("loop" as const),
  line: idx,
  port: idx,
  multi: fc.boolean(),
  buf: fc.constantFrom<Buf>("none", "aligned", "aligned", "odd"),
  watch: fc.boolean(),
  max: fc.integer({ min: 1, max: 4 }),
  // 2: a waiter one interrupt does not satisfy, which the fast path must leave alone
  min: fc.constantFrom(1, 1, 2),
  // a timeout the interrupt beats (the fast path must cancel it) or not
  timeout: fc.constantFrom(0, 0, 400, 5000),
  skew,
});

const act: fc.Arbitrary<Act> = fc.oneof(
  { arbitrary: loopAct, weight: 6 },
  { arbitrary: armAct, weight: 6 },
  { arbitrary: waitAct, weight: 5 },
  { arbitrary: watchAct, weight: 2 },
  { arbitrary: fc.record({ k: fc.constant("unwatch" as const), port: idx }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant("nop" as const), port: idx, count: fc.integer({ min: 1, max: 3 }) }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant("cancel" as const), port: idx, ud: fc.integer({ min: 1, max: 8 }) }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant("closeLine" as const), line: idx }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant("closePort" as const), port: idx }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant("edge" as const), pin: idx }), weight: 1 },
);

const lineSpec: fc.Arbitrary<LineSpec> = fc.oneof(
  fc.record({
    kind: fc.constant("pin" as const),
    pin: fc.constantFrom(...PINS),
    flags: fc.constantFrom(IRQ_RISING | IRQ_FALLING, IRQ_RISING | IRQ_FALLING, IRQ_RISING),
  }),
  fc.record({
    kind: fc.constant("timer" as const),
    line: fc.constantFrom(T0, T0 + 1),
    flags: fc.constantFrom(IRQ_PERIODIC, IRQ_PERIODIC, IRQ_ONESHOT),
    period: fc.integer({ min: 200, max: 3000 }),
  }),
);

const program: fc.Arbitrary<Program> = fc.record({
  cq: fc.constantFrom(2, 2, 3, 4, 64),
  ports: fc.integer({ min: 1, max: 2 }),
  lines: fc.uniqueArray(lineSpec, { minLength: 1, maxLength: 3, selector: (l) => (l.kind === "pin" ? l.pin : l.line) }),
  // a driver loop first, as a program that arms nothing tells nothing
  init: fc.tuple(loopAct, fc.array(act, { maxLength: 5 })).map(([l, rest]) => [l, ...rest]),
  reactions: fc.array(
    fc.record({
      again: fc.nat(5).map((x) => x !== 0),
      acts: fc.array(act, { maxLength: 2 }),
      throws: fc.nat(3).map((x) => x === 0),
    }),
    { minLength: 1, maxLength: 6 },
  ),
  stim: fc.array(
    fc.oneof(
      { arbitrary: fc.record({ k: fc.constant("edge" as const), pin: idx }), weight: 3 },
      { arbitrary: fc.record({ k: fc.constant("advance" as const), ns: fc.integer({ min: 0, max: 2500 }) }), weight: 2 },
      { arbitrary: fc.record({ k: fc.constant("late" as const), line: idx, ns: fc.integer({ min: 100, max: 6000 }) }), weight: 2 },
    ),
    { minLength: 1, maxLength: 40 },
  ),
});

// ---- running it ----

/** Callbacks that still run their reaction: a watch whose callback submits NOPs would otherwise loop forever. */
const REACTION_BUDGET = 60;

interface Recording {
  log: string[];
  /** IrqLine.add calls: interrupts that took the general path. */
  adds: number;
}

function hex(t: Task, addr: number, len: number): string {
  return Buffer.from(t.memory.subarray(addr, addr + len)).toString("hex");
}

/**
 * Runs the platform's events due up to now + ns, one at a time, each inside
 * its own kernel entry when `forced`. Simulator.advance would run them all
 * in one go; it also settles promises between events, which nothing here
 * uses (callbacks only), so this is the same run otherwise.
 */
function advance(sim: Simulator, ns: number, forced: boolean): void {
  const end = sim.now + ns;
  const k = sim.kernel;
  const setNow = (t: number): void => {
    sim.platform.clock = t;
  };
  for (;;) {
    if (forced) k.enter();
    let ran: boolean;
    try {
      ran = sim.platform.events.runNext(end, setNow);
    } finally {
      if (forced) k.leave();
    }
    if (!ran) break;
  }
  sim.platform.clock = end;
}

/** Makes platform event `handle` run `ns` later (a late timer), keeping its handle. */
function delay(sim: Simulator, handle: number, ns: number): number {
  if (!sim.platform.events.delay(handle, ns)) throw new Error(`no live event ${handle}`);
  return handle;
}

function play(p: Program, forced: boolean, traced = false): Recording {
  const sim = new Simulator({ seed: 1, kernel: { cqEntries: p.cq } });
  const k = sim.kernel;
  const log: string[] = [];
  if (traced) {
    // a tracer must see the same events, in the same order, on both paths
    const op = (o: Op): string => `${o.udLo}:${o.opcode}:${o.result}:${o.cflags}`;
    k.tracer = {
      syscall: (_t, name, _a, r) => log.push(`trace syscall ${name} -> ${String(r)}`),
      submit: (o) => log.push(`trace submit ${o.udLo}:${o.opcode}`),
      complete: (o) => log.push(`trace complete ${op(o)}`),
      reap: (o) => log.push(`trace reap ${op(o)}`),
      irq: (line, now, level) => log.push(`trace irq ${line} ${now} ${level}`),
    };
  }
  // the simulator's own handler keeps the error to throw it from advance();
  // these runs record it and carry on, as a board would
  k.options.onUserError = (err) => log.push(`userError ${String(err)}`);
  const t = sim.spawn({ memoryBytes: 8192 });
  const sys = t.sys;
  // one contiguous area holds everything the kernel writes, so a snapshot of
  // it catches stray bytes as well as the expected ones
  const sqe = t.alloc(48 * 3);
  const outs = [t.alloc(4 * 24 + 8), t.alloc(4 * 24 + 8)];
  const evPool = t.alloc(4 * 24);
  const poll = t.alloc(64 * 24);
  const areaStart = outs[0] as number;
  const areaLen = evPool + 4 * 24 - areaStart;
  const ports: number[] = [];
  for (let i = 0; i < p.ports; i++) ports.push(sys.io_create(0));
  const pinLines = p.lines.flatMap((l) => (l.kind === "pin" ? [l.pin] : []));
  const stimPins = pinLines.length > 0 ? pinLines : [...PINS];
  const lines = p.lines.map((l) => (l.kind === "pin" ? sys.irq_create(l.pin, l.flags) : sys.irq_create(l.line, l.flags, l.period)));
  log.push(`setup ports=${ports.join(",")} lines=${lines.join(",")}`);

  let ud = 0;
  let nopUd = 1000;
  let evNext = 0;
  let calls = 0;
  const portAt = (i: number): number => ports[i % ports.length] as number;
  const lineAt = (i: number): number => lines[i % lines.length] as number;

  /** Arms by user_data, for re-arming. */
  const armed = new Map<number, Extract<Act, { k: "arm" }>>();

  /** A waiter's callback; `wait` is the io_wait_cb that registered it (null: a watch). */
  const callback = (tag: string, out: number, wait: Extract<Act, { k: "wait" }> | null) => (n: number) => {
    const i = calls++;
    log.push(`cb#${i} ${tag} n=${n} cqes=${n > 0 ? hex(t, out, n * 24) : "-"} area=${hex(t, areaStart, areaLen)}`);
    if (i >= REACTION_BUDGET) return;
    const r = p.reactions[i % p.reactions.length] as Reaction;
    if (r.again) {
      for (let j = 0; j < n; j++) {
        const c = decodeCompletion(t.view, out + 24 * j);
        const arm = armed.get(Number(c.userData));
        if (arm !== undefined && c.result > 0 && (c.flags & IOCQE_F_MORE) === 0) exec(arm);
      }
      if (wait !== null && n >= 0) exec(wait);
    }
    for (const a of r.acts) exec(a);
    if (r.throws) throw new Error(`thrown by cb#${i}`);
  };

  const exec = (a: Act): void => {
    switch (a.k) {
      case "arm": {
        const bufAddr = a.buf === "none" ? 0 : evPool + 24 * (evNext++ % 4) + (a.buf === "odd" ? 1 : 0);
        encodeSubmission(t.view, sqe, {
          userData: ++ud,
          opcode: OP_IRQ_WAIT,
          flags: a.multi ? IOSQE_MULTISHOT : 0,
          fd: lineAt(a.line),
          bufAddr,
          bufLen: bufAddr === 0 ? 0 : 16,
        });
        armed.set(ud, a);
        log.push(`arm ud=${ud} -> ${sys.io_submit(portAt(a.port), sqe, 1)}`);
        break;
      }
      case "wait": {
        const port = portAt(a.port);
        const out = (outs[a.port % ports.length] as number) + a.skew;
        const cb = callback(`wait${port}`, out, a);
        const r = sys.io_wait_cb(port, out, a.max, a.min, a.timeout, cb);
        log.push(`wait -> ${r}`);
        // satisfied at once: a driver loop handles the completions as if called back
        if (r > 0) {
          try {
            cb(r);
          } catch (err) {
            log.push(`caught ${String(err)}`);
          }
        }
        break;
      }
      case "watch": {
        const port = portAt(a.port);
        const out = (outs[a.port % ports.length] as number) + a.skew;
        log.push(`watch -> ${sys.io_watch(port, out, a.max, callback(`watch${port}`, out, null))}`);
        break;
      }
      case "unwatch":
        log.push(`unwatch -> ${sys.io_unwatch(portAt(a.port))}`);
        break;
      case "nop":
        for (let j = 0; j < a.count; j++) encodeSubmission(t.view, sqe + 48 * j, { userData: ++nopUd, opcode: OP_NOP });
        log.push(`nop -> ${sys.io_submit(portAt(a.port), sqe, a.count)}`);
        break;
      case "cancel":
        log.push(`cancel -> ${sys.io_cancel(portAt(a.port), a.ud)}`);
        break;
      case "closeLine":
        log.push(`closeLine -> ${sys.close(lineAt(a.line))}`);
        break;
      case "closePort":
        log.push(`closePort -> ${sys.close(portAt(a.port))}`);
        break;
      case "edge": {
        const n = stimPins[a.pin % stimPins.length] as number;
        const pin = sim.gpio(n);
        const to = pin.level ^ 1;
        log.push(`edge ${n}=${to} @${sim.now}`);
        // forced: the interrupt arrives inside a kernel entry, so the fast path declines it
        if (forced) k.enter();
        try {
          pin.drive(to);
        } finally {
          if (forced) k.leave();
        }
        break;
      }
      case "loop":
        exec({ k: "arm", line: a.line, port: a.port, multi: a.multi, buf: a.buf });
        exec(a.watch ? { k: "watch", port: a.port, max: a.max, skew: a.skew } : { k: "wait", port: a.port, max: a.max, min: a.min, timeout: a.timeout, skew: a.skew });
        break;
    }
  };

  const adds0 = addCalls;
  for (const a of p.init) {
    exec(a);
    k.checkInvariants();
  }
  for (const s of p.stim) {
    if (s.k === "edge") exec(s);
    else if (s.k === "late") {
      const timers = [...k.dev.lines.values()].filter((l) => l.isTimer && l.timer !== 0);
      const line = timers[s.line % Math.max(1, timers.length)];
      if (line !== undefined) {
        log.push(`late ${line.line} +${s.ns}`);
        line.timer = delay(sim, line.timer, s.ns);
      }
    } else {
      log.push(`advance ${s.ns} @${sim.now}`);
      advance(sim, s.ns, forced);
    }
    k.checkInvariants();
  }
  const adds = addCalls - adds0;

  // the end state: kernel objects, then whatever is still queued
  for (const fd of ports) {
    const obj = t.get(fd);
    if (obj !== null && obj.kind === KIND_PORT) {
      const port = obj as Port;
      // not head: the fast path leaves the ring where it was, which is its point
      log.push(`port ${fd} count=${port.count} reserved=${port.reserved} waitMode=${port.waitMode} starved=${port.starved?.length ?? 0}`);
    } else log.push(`port ${fd} closed`);
  }
  for (const line of k.dev.lines.values()) {
    // firstNs and level mean something only while interrupts are latched (the
    // fast path, which latches nothing, may leave them stale)
    const latch = line.pending > 0 ? ` level=${line.level} first=${line.firstNs}` : "";
    log.push(`line ${line.line} pending=${line.pending} total=${line.total}${latch} arms=${line.arms.length}`);
  }
  log.push(`live=${k.liveObjects} opsAllocated=${k.opsAllocated}`);
  for (const fd of ports) {
    log.push(`final unwatch -> ${sys.io_unwatch(fd)}`);
    const n = sys.io_wait_cb(fd, poll, 64, 0, 0, () => {});
    log.push(`final poll -> ${n} ${n > 0 ? hex(t, poll, n * 24) : ""}`);
  }
  log.push(`area=${hex(t, areaStart, areaLen)}`);
  t.exit();
  log.push(`live after exit=${k.liveObjects}`);
  return { log, adds };
}

describe("interrupt fast path (direct delivery)", () => {
  it("property: with a kernel tracer attached too (DST and Perfetto traces run that way), the same recording and the same trace", () => {
    let fastRuns = 0;
    fc.assert(
      fc.property(program, (p) => {
        const a = play(p, false, true);
        const b = play(p, true, true);
        expect(a.log).toEqual(b.log);
        if (a.adds < b.adds) fastRuns++;
      }),
      { numRuns: 150 },
    );
    // traced runs take the fast path as well
    expect(fastRuns).toBeGreaterThan(20);
  });

  it("property: a program gives the same recording with the fast path as with the general path forced", () => {
    let runs = 0;
    let fastRuns = 0;
    let fastTotal = 0;
    let generalTotal = 0;
    fc.assert(
      fc.property(program, (p) => {
        const a = play(p, false);
        const b = play(p, true);
        expect(a.log).toEqual(b.log);
        // forced, every interrupt takes the general path; plainly, only those the fast path declined
        expect(a.adds).toBeLessThanOrEqual(b.adds);
        runs++;
        if (a.adds < b.adds) fastRuns++;
        fastTotal += b.adds - a.adds;
        generalTotal += a.adds;
      }),
      { numRuns: 200 },
    );
    // the comparison means something only if both paths really ran (typical
    // figures: the fast path in ~45% of runs, ~200 fast and ~450 general interrupts)
    expect(fastRuns / runs).toBeGreaterThan(0.25);
    expect(fastTotal).toBeGreaterThan(80);
    expect(generalTotal).toBeGreaterThan(150);
  });

  it("a late timer expiry counts every elapsed period, the same on both paths (hand-written program)", () => {
    for (const multi of [false, true]) {
      const p: Program = {
        cq: 64,
        ports: 1,
        lines: [{ kind: "timer", line: T0, flags: IRQ_PERIODIC, period: 1000 }],
        init: [{ k: "loop", line: 0, port: 0, multi, buf: "aligned", watch: true, max: 4, min: 1, timeout: 0, skew: 0 }],
        reactions: [{ again: true, acts: [], throws: false }],
        // the expiry due at 1000 runs at 4500: four periods in one completion
        stim: [{ k: "late", line: 0, ns: 3500 }, { k: "advance", ns: 5000 }],
      };
      const a = play(p, false);
      const b = play(p, true);
      expect(a.log).toEqual(b.log);
      // every expiry went the fast way in A
      expect(a.adds).toBe(0);
      expect(b.adds).toBe(2);
      // user_data 1, result 4, flags (F_MORE when multishot), OP_IRQ_WAIT
      const cqe = `0100000000000000 0400000000000000 0${multi ? 1 : 0}000000 04000000`.replace(/ /g, "");
      expect(a.log.find((l) => l.startsWith("cb#0"))).toContain(`n=1 cqes=${cqe} `);
    }
  });
});

describe("interrupt fast path: sharp edges", () => {
  /** A task with a port per entry of `ports` and GPIO line 3 (both edges). */
  function rig(ports = 1) {
    const sim = new Simulator({ seed: 1 });
    const errors: unknown[] = [];
    sim.kernel.options.onUserError = (err) => errors.push(err);
    const t = sim.spawn({ memoryBytes: 4096 });
    const fds = Array.from({ length: ports }, () => t.sys.io_create(0));
    const line = t.sys.irq_create(3, IRQ_RISING | IRQ_FALLING);
    const sqe = t.alloc(48);
    const arm = (port: number, userData: number, flags = 0, bufAddr = 0): number => {
      encodeSubmission(t.view, sqe, { userData, opcode: OP_IRQ_WAIT, flags, fd: line, bufAddr, bufLen: bufAddr === 0 ? 0 : 16 });
      return t.sys.io_submit(port, sqe, 1);
    };
    return { sim, t, ports: fds, line, arm, errors, sqe };
  }
  const portOf = (t: Task, fd: number): Port => t.get(fd) as Port;

  it("a watch callback that throws: the error goes to onUserError, the kernel is idle again, the next interrupt is delivered", () => {
    const { sim, t, ports, arm, errors } = rig();
    const port = ports[0] as number;
    const ev = t.alloc(16);
    const out = t.alloc(24 * 4);
    expect(arm(port, 7, IOSQE_MULTISHOT, ev)).toBe(1);
    const seen: string[] = [];
    expect(
      t.sys.io_watch(port, out, 4, (n) => {
        const c = decodeCompletion(t.view, out);
        seen.push(`${n} ud=${c.userData} r=${c.result} f=${c.flags} level=${t.view.getUint32(ev + 12, true)}`);
        if (seen.length === 1) throw new Error("first");
      }),
    ).toBe(0);
    const adds = addCalls;
    sim.gpio(3).drive(1);
    expect(errors.map(String)).toEqual(["Error: first"]);
    expect(sim.kernel.depth).toBe(0);
    expect(sim.kernel.flushing).toBe(false);
    expect(sim.kernel.wakeCount).toBe(0);
    sim.gpio(3).drive(0);
    expect(seen).toEqual(["1 ud=7 r=1 f=1 level=1", "1 ud=7 r=1 f=1 level=0"]);
    expect(errors).toHaveLength(1);
    // both went the fast way: the general path was never entered and the ring never touched
    expect(addCalls).toBe(adds);
    expect(portOf(t, port).head).toBe(0);
    expect(portOf(t, port).reserved).toBe(1);
  });

  it("an io_wait_cb callback that waits again and then throws: still delivered to, once per interrupt", () => {
    const { sim, t, ports, arm, errors } = rig();
    const port = ports[0] as number;
    const out = t.alloc(24) + 2; // misaligned: the DataView store of the fast path
    const got: number[] = [];
    const cb = (n: number): void => {
      got.push(n, Number(decodeCompletion(t.view, out).userData));
      arm(port, got.length + 1);
      t.sys.io_wait_cb(port, out, 1, 1, 0, cb);
      throw new Error(`after ${got.length / 2}`);
    };
    arm(port, 1);
    expect(t.sys.io_wait_cb(port, out, 1, 1, 5000, cb)).toBe(-EINPROGRESS);
    const adds = addCalls;
    for (let i = 0; i < 3; i++) sim.gpio(3).drive(i & 1 ? 0 : 1);
    expect(got).toEqual([1, 1, 1, 3, 1, 5]);
    expect(errors.map(String)).toEqual(["Error: after 1", "Error: after 2", "Error: after 3"]);
    expect(addCalls).toBe(adds);
    // the first wait's timeout was cancelled with it: nothing is called back at 5000
    advance(sim, 10_000, false);
    expect(got).toHaveLength(6);
  });

  it("a fast-path callback that wakes another port: that port's waiter is called after the callback returns, not inside it", () => {
    const { sim, t, ports, arm, sqe } = rig(2);
    const [p1, p2] = ports as [number, number];
    const log: string[] = [];
    arm(p1, 1, IOSQE_MULTISHOT);
    const out2 = t.alloc(24);
    t.sys.io_watch(p1, t.alloc(24), 1, (n) => {
      log.push(`cb1 ${n} start`);
      encodeSubmission(t.view, sqe, { userData: 99, opcode: OP_NOP });
      log.push(`submit ${t.sys.io_submit(p2, sqe, 1)}`);
      log.push("cb1 end");
    });
    expect(t.sys.io_wait_cb(p2, out2, 1, 1, 0, (n) => log.push(`cb2 ${n} ud=${decodeCompletion(t.view, out2).userData}`))).toBe(-EINPROGRESS);
    const adds = addCalls;
    sim.gpio(3).drive(1);
    expect(log).toEqual(["cb1 1 start", "submit 1", "cb1 end", "cb2 1 ud=99"]);
    expect(addCalls).toBe(adds);
    expect(sim.kernel.wakeCount).toBe(0);
  });

  it("a one-shot arm completed by the fast path is off its port: io_cancel finds nothing, later arms are cancelled alone", () => {
    const { sim, t, ports, arm } = rig();
    const port = ports[0] as number;
    const out = t.alloc(24);
    const seen: number[] = [];
    arm(port, 5);
    t.sys.io_wait_cb(port, out, 1, 1, 0, (n) => seen.push(n, Number(decodeCompletion(t.view, out).userData)));
    const adds = addCalls;
    sim.gpio(3).drive(1);
    expect(seen).toEqual([1, 5]);
    expect(addCalls).toBe(adds);
    expect(portOf(t, port).inflight).toBe(0);
    expect(t.sys.io_cancel(port, 5)).toBe(-ENOENT);
    arm(port, 6);
    arm(port, 7);
    expect(t.sys.io_cancel(port, 6)).toBe(1);
    expect(portOf(t, port).inflight).toBe(1);
    t.exit();
    expect(sim.kernel.liveObjects).toBe(0);
  });

  it("an interrupt arriving during a callback is delivered after it, by the general path", () => {
    const { sim, t, ports, arm } = rig();
    const port = ports[0] as number;
    const log: string[] = [];
    arm(port, 1, IOSQE_MULTISHOT);
    t.sys.io_watch(port, t.alloc(24), 1, (n) => {
      log.push(`cb ${n} start`);
      if (log.length === 1) sim.gpio(3).drive(0);
      log.push(`cb ${n} end`);
    });
    const adds = addCalls;
    sim.gpio(3).drive(1);
    expect(log).toEqual(["cb 1 start", "cb 1 end", "cb 1 start", "cb 1 end"]);
    expect(addCalls).toBe(adds + 1);
  });

  it("a port with a starved multishot line: an interrupt on another line takes the general path, whose reap posts the starved batch", () => {
    const sim = new Simulator({ seed: 1, kernel: { cqEntries: 2 } });
    const t = sim.spawn({ memoryBytes: 4096 });
    const port = t.sys.io_create(0);
    const l3 = t.sys.irq_create(3, IRQ_RISING);
    const l5 = t.sys.irq_create(5, IRQ_RISING);
    const sqe = t.alloc(96);
    encodeSubmission(t.view, sqe, { userData: 1, opcode: OP_IRQ_WAIT, flags: IOSQE_MULTISHOT, fd: l3 });
    encodeSubmission(t.view, sqe + 48, { userData: 2, opcode: OP_IRQ_WAIT, fd: l5 });
    expect(t.sys.io_submit(port, sqe, 2)).toBe(2);
    const out = t.alloc(24 * 4);
    const seen: string[] = [];
    t.sys.io_watch(port, out, 4, (n) => {
      for (let i = 0; i < n; i++) {
        const c = decodeCompletion(t.view, out + 24 * i);
        seen.push(`ud=${c.userData} r=${c.result} f=${c.flags}`);
      }
    });
    // both slots are reserved by the arms: line 3's interrupt is latched, the line starved
    sim.gpio(3).drive(1);
    expect(seen).toEqual([]);
    expect(portOf(t, port).starved?.length).toBe(1);
    const adds = addCalls;
    sim.gpio(5).drive(1);
    expect(seen).toEqual(["ud=2 r=1 f=0", "ud=1 r=1 f=1"]);
    expect(addCalls).toBe(adds + 1);
  });

  // Two differences this file found (both fixed in core/objects/direct.ts):
  // the order of the completion and IrqEvent stores of a one-shot arm, and
  // an onUserError handler's syscalls flushed inside the handler.

  /** A one-shot or multishot arm whose IrqEvent buffer overlaps the waiter's `out`; the callback's view of both. */
  function overlap(multishot: boolean, forced: boolean): string {
    const sim = new Simulator({ seed: 1 });
    const t = sim.spawn({ memoryBytes: 4096 });
    const port = t.sys.io_create(0);
    const line = t.sys.irq_create(3, IRQ_RISING);
    const out = t.alloc(32);
    const sqe = t.alloc(48);
    encodeSubmission(t.view, sqe, { userData: 7, opcode: OP_IRQ_WAIT, flags: multishot ? IOSQE_MULTISHOT : 0, fd: line, bufAddr: out + 8, bufLen: 16 });
    t.sys.io_submit(port, sqe, 1);
    let seen = "";
    t.sys.io_wait_cb(port, out, 1, 1, 0, (n) => {
      seen = `${n} ${hex(t, out, 24)}`;
    });
    if (forced) sim.kernel.enter();
    sim.gpio(3).drive(1);
    if (forced) sim.kernel.leave();
    return seen;
  }

  it("an IrqEvent buffer overlapping `out`, multishot arm: the same bytes either way (completion first, then the IrqEvent)", () => {
    expect(overlap(true, false)).toBe(overlap(true, true));
  });

  // For a one-shot arm the general path writes the IrqEvent first (Port.reap
  // runs the op's copy-out hook before storing the completion) and the
  // completion over it; the fast path once wrote them the other way round,
  // so with the buffer at out + 8 the callback saw the IrqEvent's count and
  // level where the result and flags belong.
  it("an IrqEvent buffer overlapping `out`, one-shot arm: the same bytes either way (the IrqEvent first, then the completion)", () => {
    expect(overlap(false, false)).toBe(overlap(false, true));
  });

  // The general path reports a callback's exception from inside its flush,
  // so a syscall made by the onUserError handler queues its wake, delivered
  // after the handler returns; the fast path once cleared `flushing` first
  // and delivered it inside the handler.
  it("a wake queued by onUserError after a fast-path callback threw is delivered after the handler, as on the general path", () => {
    const run = (forced: boolean): string[] => {
      const sim = new Simulator({ seed: 1 });
      const t = sim.spawn({ memoryBytes: 4096 });
      const p1 = t.sys.io_create(0);
      const p2 = t.sys.io_create(0);
      const line = t.sys.irq_create(3, IRQ_RISING);
      const sqe = t.alloc(48);
      const log: string[] = [];
      sim.kernel.options.onUserError = (err) => {
        log.push(`onUserError ${String(err)}`);
        encodeSubmission(t.view, sqe, { userData: 9, opcode: OP_NOP });
        t.sys.io_submit(p2, sqe, 1);
        log.push("onUserError returns");
      };
      encodeSubmission(t.view, sqe, { userData: 7, opcode: OP_IRQ_WAIT, flags: IOSQE_MULTISHOT, fd: line });
      t.sys.io_submit(p1, sqe, 1);
      t.sys.io_watch(p1, t.alloc(24), 1, () => {
        throw new Error("cb1");
      });
      t.sys.io_watch(p2, t.alloc(24), 1, (n) => log.push(`cb2 ${n}`));
      if (forced) sim.kernel.enter();
      sim.gpio(3).drive(1);
      if (forced) sim.kernel.leave();
      return log;
    };
    // general path: ["onUserError Error: cb1", "onUserError returns", "cb2 1"]
    // fast path:    ["onUserError Error: cb1", "cb2 1", "onUserError returns"]
    expect(run(false)).toEqual(run(true));
  });
});

// ---- io_submit: NOP slots and the per-entry path ----

interface Entry {
  opcode: number;
  flags: number;
  udLo: number;
  udHi: number;
  fd: number;
  timeout: number;
  timeoutHi: number;
}
interface Batch {
  entries: Entry[];
  /** Reap up to this many afterwards (0: none); ignored with a watch. */
  reap: number;
  advance: number;
}
interface NopProgram {
  cq: number;
  watch: number;
  batches: Batch[];
}

const entry: fc.Arbitrary<Entry> = fc.record({
  // NOPs mostly; an unknown opcode, one past the table, ops that fail at
  // submit (bad fd) and a timer that completes later
  opcode: fc.constantFrom(OP_NOP, OP_NOP, OP_NOP, OP_NOP, OP_TIMEOUT, OP_IRQ_WAIT, 7, 9, 42, 0xffffffff),
  flags: fc.constantFrom(0, 0, 0, 0, IOSQE_MULTISHOT, 2, 0x80000000),
  udLo: fc.constantFrom(0, 1, 0xffffffff).chain((x) => fc.oneof(fc.constant(x), fc.nat({ max: 0xffffffff }))),
  udHi: fc.constantFrom(0, 0x80000000, 0xffffffff).chain((x) => fc.oneof(fc.constant(x), fc.nat({ max: 0xffffffff }))),
  fd: fc.constantFrom(-1, 0, 3, 63),
  timeout: fc.integer({ min: 0, max: 300 }),
  // a high word with its top bit set is a negative timeout: -EINVAL
  timeoutHi: fc.constantFrom(0, 0, 0, 0x80000000),
});

const nopProgram: fc.Arbitrary<NopProgram> = fc.record({
  cq: fc.constantFrom(1, 2, 3, 5, 64),
  watch: fc.constantFrom(0, 0, 1, 3),
  batches: fc.array(
    fc.record({ entries: fc.array(entry, { minLength: 1, maxLength: 8 }), reap: fc.nat(8), advance: fc.constantFrom(0, 0, 50, 400) }),
    { minLength: 1, maxLength: 8 },
  ),
});

/** Observes nothing; its presence makes every entry take the op path. */
class CountingTracer implements KernelTracer {
  submits = 0;
  syscall(): void {}
  submit(): void {
    this.submits++;
  }
  complete(): void {}
  reap(): void {}
  irq(): void {}
}

function playSubmits(p: NopProgram, skew: number, traced: boolean): { log: string[]; opsAllocated: number; tracedSubmits: number } {
  const sim = new Simulator({ seed: 1, kernel: { cqEntries: p.cq } });
  const tracer = new CountingTracer();
  if (traced) sim.kernel.tracer = tracer;
  const t = sim.spawn({ memoryBytes: 8192 });
  const port = t.sys.io_create(0);
  const sqes = t.alloc(48 * 8 + 8) + skew;
  // the completions too: misaligned, they are stored through the DataView
  const out = t.alloc(24 * 8 + 8) + skew;
  const log: string[] = [];
  if (p.watch > 0) log.push(`watch -> ${t.sys.io_watch(port, out, p.watch, (n) => log.push(`watch ${n} ${n > 0 ? hex(t, out, 24 * n) : ""}`))}`);
  for (const b of p.batches) {
    b.entries.forEach((e, i) => {
      const at = sqes + 48 * i;
      encodeSubmission(t.view, at, { opcode: e.opcode, flags: e.flags, fd: e.fd });
      t.view.setUint32(at, e.udLo, true);
      t.view.setUint32(at + 4, e.udHi, true);
      t.view.setUint32(at + 40, e.timeout, true);
      t.view.setUint32(at + 44, e.timeoutHi, true);
    });
    log.push(`submit -> ${t.sys.io_submit(port, sqes, b.entries.length)}`);
    if (p.watch === 0 && b.reap > 0) {
      const n = t.sys.io_wait_cb(port, out, b.reap, 0, 0, () => {});
      log.push(`reap ${n} ${n > 0 ? hex(t, out, 24 * n) : ""}`);
    }
    if (b.advance > 0) {
      advance(sim, b.advance, false);
      log.push(`@${sim.now}`);
    }
  }
  advance(sim, 1000, false);
  t.sys.io_unwatch(port);
  for (;;) {
    const n = t.sys.io_wait_cb(port, out, 8, 0, 0, () => {});
    log.push(`drain ${n} ${n > 0 ? hex(t, out, 24 * n) : ""}`);
    if (n <= 0) break;
  }
  t.exit();
  log.push(`live=${sim.kernel.liveObjects}`);
  return { log, opsAllocated: sim.kernel.opsAllocated, tracedSubmits: tracer.submits };
}

describe("io_submit: NOP slots against the per-entry path", () => {
  it("property: aligned, misaligned and traced submissions reap the same completions in the same order (into aligned and misaligned memory)", () => {
    let rawSaved = 0;
    fc.assert(
      fc.property(nopProgram, fc.integer({ min: 1, max: 3 }), (p, skew) => {
        const ref = playSubmits(p, 0, false);
        const misaligned = playSubmits(p, skew, false);
        const traced = playSubmits(p, 0, true);
        const both = playSubmits(p, skew, true);
        expect(misaligned.log).toEqual(ref.log);
        expect(traced.log).toEqual(ref.log);
        expect(both.log).toEqual(ref.log);
        expect(traced.tracedSubmits).toBeGreaterThan(0);
        // raw slots (untraced) need fewer op records than the op path (traced)
        expect(ref.opsAllocated).toBeLessThanOrEqual(traced.opsAllocated);
        if (ref.opsAllocated < traced.opsAllocated) rawSaved++;
      }),
      { numRuns: 150 },
    );
    expect(rawSaved).toBeGreaterThan(50);
  });
});
