// The simulator's lazy device models and stepping (the default) against the
// reference ones (SimulatorOptions.eager: one queued event per UART byte, a
// promise settle after every event): the same seed and stimulus give the
// same run, compared byte for byte — the Perfetto trace (every syscall,
// submission, completion, reap, interrupt and UART byte with its time), the
// VCD waveform, what the tasks saw and when, the bytes on the wire, the
// overrun and framing counts, the number of events — on a busy mixed
// workload with promise-driven and callback-driven tasks, and on DST seeds.
import { describe, expect, it } from "vitest";
import { COMPLETION_SIZE, IRQ_FALLING, IRQ_PERIODIC, IRQ_RISING, IRQ_TIMER_BASE, OP_IRQ_WAIT, OP_READ, OP_TIMEOUT, OP_WRITE, readI64, writeSubmission } from "../core/index.js";
import type { Task } from "../core/index.js";
import { runSeed } from "../host-sim/dst/index.js";
import { PerfettoTrace, Prng, Simulator, VcdRecorder } from "../host-sim/index.js";

const MS = 1_000_000;

/** A callback-driven echo on `uart`, reads of `len` bytes (io_wait_cb). */
function echoLoop(t: Task, uart: string, len: number, log: string[]): void {
  const { sys } = t;
  const port = sys.io_create(0);
  const fd = sys.open(uart);
  const sqe = t.alloc(48);
  const cqes = t.alloc(COMPLETION_SIZE * 4);
  const rbuf = t.alloc(64);
  const wbuf = t.alloc(64);
  const read = (): void => {
    writeSubmission(t.view, sqe, 1, 0, OP_READ, 0, fd, rbuf, len, 0);
    sys.io_submit(port, sqe, 1);
  };
  const onWait = (n: number): void => {
    for (let i = 0; i < n; i++) {
      const at = cqes + i * COMPLETION_SIZE;
      const ud = t.view.getUint32(at, true);
      const res = readI64(t.view, at + 8);
      log.push(`${t.name} ${ud} ${res} @${t.kernel.now()}`);
      if (ud !== 1) continue;
      if (res > 0) {
        t.memory.copyWithin(wbuf, rbuf, rbuf + res);
        writeSubmission(t.view, sqe, 2, 0, OP_WRITE, 0, fd, wbuf, res, 0);
        sys.io_submit(port, sqe, 1);
      }
      read();
    }
    const r = sys.io_wait_cb(port, cqes, 4, 1, 0, onWait);
    if (r >= 0) onWait(r);
  };
  read();
  onWait(0);
}

/** A promise-driven task: sleeps (OP_TIMEOUT), then reads a few bytes, awaiting io_wait each time. */
async function promiseLoop(t: Task, rng: Prng, log: string[]): Promise<void> {
  const { sys } = t;
  const port = sys.io_create(0);
  const fd = sys.open("/dev/uart1");
  const sqe = t.alloc(48);
  const cqes = t.alloc(COMPLETION_SIZE * 4);
  const buf = t.alloc(64);
  for (let i = 0; i < 40; i++) {
    writeSubmission(t.view, sqe, 10, 0, OP_TIMEOUT, 0, -1, 0, 0, rng.int(1, 900) * 1000);
    sys.io_submit(port, sqe, 1);
    await sys.io_wait(port, cqes, 4, 1, 0);
    writeSubmission(t.view, sqe, 11, 0, OP_READ, 0, fd, buf, rng.int(1, 8), 0);
    sys.io_submit(port, sqe, 1);
    const n = await sys.io_wait(port, cqes, 4, 1, 0);
    log.push(`promise ${n} ${readI64(t.view, cqes + 8)} @${t.kernel.now()}`);
    // a continuation chain longer than one hop before the next syscall
    await Promise.resolve();
    await null;
    log.push(`promise after @${t.kernel.now()}`);
  }
}

/** IRQ waits with io_wait_cb, logging each IrqEvent's count and time. */
function irqLoop(t: Task, fd: number, tag: string, log: string[]): void {
  const { sys } = t;
  const port = sys.io_create(0);
  const sqe = t.alloc(48);
  const cqe = t.alloc(COMPLETION_SIZE * 4);
  writeSubmission(t.view, sqe, 1, 0, OP_IRQ_WAIT, 0, fd, 0, 0, 0);
  const onWait = (n: number): void => {
    if (n > 0) {
      log.push(`${tag} ${readI64(t.view, cqe + 8)} @${t.kernel.now()}`);
      sys.io_submit(port, sqe, 1);
    }
    const r = sys.io_wait_cb(port, cqe, 4, 1, 0, onWait);
    if (r >= 0) onWait(r);
  };
  sys.io_submit(port, sqe, 1);
  onWait(0);
}

interface Outcome {
  log: string[];
  trace: string;
  vcd: string;
  wire: number[][];
  overruns: number[];
  framing: number[];
  events: number;
  now: number;
}

async function busyRun(seed: number, eager: boolean): Promise<Outcome> {
  const sim = new Simulator({ seed, eager });
  const vcd = new VcdRecorder(sim);
  const trace = new PerfettoTrace(() => sim.now);
  trace.attachUarts(sim.uarts);
  sim.kernel.tracer = trace;
  const rng = new Prng(seed);
  const log: string[] = [];
  const t = sim.spawn({ name: "busy", memoryBytes: 16 * 1024 });
  echoLoop(t, "/dev/uart0", 1 + rng.int(0, 20), log);
  irqLoop(t, t.sys.irq_create(IRQ_TIMER_BASE, IRQ_PERIODIC, rng.int(200, 1500) * 1000), "timer", log);
  irqLoop(t, t.sys.irq_create(3, IRQ_RISING | IRQ_FALLING), "gpio", log);
  const p = sim.spawn({ name: "promise", memoryBytes: 8 * 1024 });
  void promiseLoop(p, new Prng(seed + 7), log);
  // stimulus: UART bursts (some back to back, some past the ring: overruns), framing errors, edges, idle gaps
  const pin = sim.gpio(3);
  let at = 0;
  for (let i = 0; i < 60; i++) {
    at += rng.int(0, 3) === 0 ? rng.int(5, 40) * MS : rng.int(1, 900) * 1000;
    const len = rng.int(1, rng.int(0, 5) === 0 ? 400 : 30);
    const bytes = Array.from({ length: len }, () => rng.int(0, 255));
    const uart = rng.int(0, 1);
    const kind = rng.int(0, 9);
    if (kind === 0) sim.at(at, () => sim.uart(uart).injectFramingError(bytes.slice(0, 3)));
    else sim.at(at, () => sim.uart(uart).inject(bytes));
    const edges = rng.int(0, 12);
    for (let k = 0; k < edges; k++) sim.at(at + k * rng.int(1, 200) * 1000, () => pin.drive(k & 1 ? 0 : 1));
  }
  await sim.advance(at / 2);
  log.push(`between advances @${sim.now}`);
  await sim.advance(at / 2 + 50 * MS);
  return {
    log,
    trace: trace.toJSON(),
    vcd: vcd.toString(),
    wire: sim.uarts.map((u) => [...u.received()]),
    overruns: sim.uarts.map((u) => u.overruns),
    framing: sim.uarts.map((u) => u.framingErrors),
    events: sim.platform.events.executed,
    now: sim.now,
  };
}

/**
 * Periodic timer lines armed only now and then (latched between looks: the
 * lazy stepper merges their ticks), read with an IrqEvent each time, one
 * closed part-way; no kernel tracer (which would keep every tick separate).
 */
async function latchedRun(seed: number, eager: boolean): Promise<{ log: string[]; events: number; now: number; live: number }> {
  const sim = new Simulator({ seed, eager });
  const rng = new Prng(seed);
  const log: string[] = [];
  const t = sim.spawn({ name: "looker", memoryBytes: 8 * 1024 });
  const { sys } = t;
  const port = sys.io_create(0);
  const sqe = t.alloc(48);
  const cqes = t.alloc(COMPLETION_SIZE * 4);
  const ev = t.alloc(16);
  const lines = [0, 1, 2].map((i) => sys.irq_create(IRQ_TIMER_BASE + i, IRQ_PERIODIC, rng.int(1, 50) * 100_000 + rng.int(0, 3)));
  echoLoop(sim.spawn({ name: "echo", memoryBytes: 8 * 1024 }), "/dev/uart0", 4, log);
  const looker = async (): Promise<void> => {
    for (let i = 0; i < 60; i++) {
      writeSubmission(t.view, sqe, 1, 0, OP_TIMEOUT, 0, -1, 0, 0, rng.int(0, 3) === 0 ? rng.int(1, 2000) * MS : rng.int(1, 5000) * 1000);
      sys.io_submit(port, sqe, 1);
      await sys.io_wait(port, cqes, 4, 1, 0);
      const k = rng.int(0, 2);
      if (i === 30) log.push(`close ${sys.close(lines[2]!)} @${sim.now}`);
      writeSubmission(t.view, sqe, 2, 0, OP_IRQ_WAIT, 0, lines[k]!, ev, 16, 0);
      sys.io_submit(port, sqe, 1);
      const n = await sys.io_wait(port, cqes, 4, 1, 0);
      const b = new DataView(t.memory.buffer, t.memory.byteOffset);
      log.push(`line ${k}: n ${n} res ${readI64(t.view, cqes + 8)} first ${readI64(b, ev)} count ${b.getUint32(ev + 8, true)} @${sim.now}`);
    }
  };
  const done = looker();
  for (let i = 0; i < 20; i++) sim.at(rng.int(0, 20_000) * MS, () => sim.uart(0).inject([rng.int(0, 255), rng.int(0, 255), 10]));
  await sim.advance(rng.int(1, 9) * 1000 * MS);
  log.push(`mid @${sim.now}`);
  await sim.run(() => done, { timeoutNs: 10_000 * 60 * MS });
  await sim.advance(3 * MS);
  return { log, events: sim.platform.events.executed, now: sim.now, live: sim.kernel.liveObjects };
}

/**
 * A sync io_wait_cb callback that queues continuations the kernel does not
 * see — queueMicrotask, a Promise.then chain, process.nextTick, and resolving
 * a promise it holds with a thenable — each of which makes a syscall (a UART
 * write of the interrupt's number, then a reap); the interrupts come from
 * two periodic timer lines (device events, no stimulus), some at the same
 * instant. Run after the next event instead of before it, a continuation
 * changes what the next callback sees, the log, the wire and the trace.
 */
async function hiddenContinuationsRun(seed: number, eager: boolean): Promise<{ log: string[]; trace: string; wire: number[]; events: number }> {
  const sim = new Simulator({ seed, eager });
  const trace = new PerfettoTrace(() => sim.now);
  trace.attachUarts(sim.uarts);
  sim.kernel.tracer = trace;
  const rng = new Prng(seed);
  const log: string[] = [];
  const t = sim.spawn({ name: "hidden", memoryBytes: 8 * 1024 });
  const { sys } = t;
  const port = sys.io_create(0);
  const wport = sys.io_create(0);
  const uart = sys.open("/dev/uart0");
  // two periodic timer lines, one at twice the other's period: every other tick of the first falls at the same instant as one of the second
  const period = rng.int(50, 300) * 1000;
  const lines = [sys.irq_create(IRQ_TIMER_BASE, IRQ_PERIODIC, period), sys.irq_create(IRQ_TIMER_BASE + 1, IRQ_PERIODIC, 2 * period)];
  const sqes = [t.alloc(48), t.alloc(48)];
  const wsqe = t.alloc(48);
  const cqe = t.alloc(COMPLETION_SIZE * 4);
  const wcqes = t.alloc(COMPLETION_SIZE * 16);
  const wbuf = t.alloc(256);
  let seen = 0;
  let counter = 0;
  // a promise held open, resolved from the callback with a thenable made before any callback ran
  const ready = Promise.resolve("ready");
  let resolveHeld: (v: unknown) => void = () => {};
  let heldK = 0;
  const hold = (): void => {
    void new Promise((r) => {
      resolveHeld = r;
    }).then(() => {
      write(heldK, "thenable");
      hold();
    });
  };
  const write = (k: number, how: string): void => {
    counter++;
    t.memory[wbuf + (k & 255)] = k & 255;
    writeSubmission(t.view, wsqe, 100 + k, 0, OP_WRITE, 0, uart, wbuf + (k & 255), 1, 0);
    log.push(`${how} ${k} counter ${counter} submit ${sys.io_submit(wport, wsqe, 1)} reap ${sys.io_wait_cb(wport, wcqes, 16, 0, 0, () => {})} @${sim.now}`);
  };
  hold();
  lines.forEach((fd, i) => writeSubmission(t.view, sqes[i]!, i, 0, OP_IRQ_WAIT, 0, fd, 0, 0, 0));
  const onWait = (n: number): void => {
    if (n > 0) log.push(`callback: ${seen} interrupts, ${counter} writes @${sim.now}`);
    for (let i = 0; i < n; i++) {
      const ud = t.view.getUint32(cqe + i * COMPLETION_SIZE, true);
      const k = ++seen;
      log.push(`irq ${k} line ${ud} @${sim.now}`);
      switch (k % 4) {
        case 0:
          queueMicrotask(() => write(k, "microtask"));
          break;
        case 1:
          void Promise.resolve()
            .then(() => null)
            .then(() => write(k, "chain"));
          break;
        case 2:
          process.nextTick(() => write(k, "nextTick"));
          break;
        default:
          heldK = k;
          resolveHeld(ready);
      }
      sys.io_submit(port, sqes[ud]!, 1);
    }
    const r = sys.io_wait_cb(port, cqe, 4, 1, 0, onWait);
    if (r >= 0) onWait(r);
  };
  sys.io_submit(port, sqes[0]!, 1);
  sys.io_submit(port, sqes[1]!, 1);
  onWait(0);
  await sim.advance(80 * period + period / 2);
  await sim.advance(3 * MS);
  return { log, trace: trace.toJSON(), wire: [...sim.uart(0).received()], events: sim.platform.events.executed };
}

describe("lazy device models and stepping = the eager reference", () => {
  it("continuations a sync callback queues without the kernel (queueMicrotask, a then chain, nextTick, a held promise resolved with a thenable) run before the next event, as on the eager models (6 seeds)", async () => {
    for (let seed = 1; seed <= 6; seed++) {
      const lazy = await hiddenContinuationsRun(seed, false);
      const eager = await hiddenContinuationsRun(seed, true);
      for (const how of ["microtask", "chain", "nextTick", "thenable"]) expect(lazy.log.filter((l) => l.startsWith(`${how} `)).length).toBeGreaterThan(20);
      // each continuation ran before the next callback: a callback sees as many writes as interrupts before it
      const callbacks = lazy.log.filter((l) => l.startsWith("callback: "));
      expect(callbacks.length).toBeGreaterThan(100);
      for (const l of callbacks) expect(l).toMatch(/^callback: (\d+) interrupts, \1 writes @/);
      // some interrupts of the two lines fell at the same instant
      expect(lazy.log.filter((l) => l.startsWith("irq ")).map((l) => l.split("@")[1]).some((x, i, a) => a.indexOf(x) !== i)).toBe(true);
      expect(lazy.log).toEqual(eager.log);
      expect(lazy.wire).toEqual(eager.wire);
      expect(lazy.events).toBe(eager.events);
      expect(lazy.trace).toBe(eager.trace);
    }
  });

  it("without a synchronous drain (a host with no process._tickCallback: the stepping fallback), the same continuations and the same recording as the eager models (3 seeds)", async () => {
    const p = process as unknown as { _tickCallback?: unknown };
    const saved = p._tickCallback;
    // the Simulator looks for it when it is made (settle.ts syncDrain)
    p._tickCallback = undefined;
    try {
      for (let seed = 1; seed <= 3; seed++) {
        const lazy = await hiddenContinuationsRun(seed, false);
        const eager = await hiddenContinuationsRun(seed, true);
        const callbacks = lazy.log.filter((l) => l.startsWith("callback: "));
        expect(callbacks.length).toBeGreaterThan(100);
        for (const l of callbacks) expect(l).toMatch(/^callback: (\d+) interrupts, \1 writes @/);
        expect(lazy.log).toEqual(eager.log);
        expect(lazy.wire).toEqual(eager.wire);
        expect(lazy.events).toBe(eager.events);
      }
    } finally {
      p._tickCallback = saved;
    }
  });

  it("timer lines armed now and then see the same counts and timestamps, with the same event count (6 seeds)", async () => {
    for (let seed = 1; seed <= 6; seed++) {
      const lazy = await latchedRun(seed, false);
      const eager = await latchedRun(seed, true);
      expect(lazy.log.filter((l) => l.startsWith("line ")).length).toBe(60);
      expect(lazy.log.some((l) => / res ([2-9]|\d\d+) /.test(l))).toBe(true); // some looks found several ticks latched
      expect(lazy.log).toEqual(eager.log);
      expect(lazy.events).toBe(eager.events);
      expect(lazy.now).toBe(eager.now);
      expect(lazy.live).toBe(eager.live);
    }
  });

  it("a busy mixed workload gives the same trace, VCD, task log, wire bytes and counts (8 seeds)", async () => {
    for (let seed = 1; seed <= 8; seed++) {
      const lazy = await busyRun(seed, false);
      const eager = await busyRun(seed, true);
      // the workload is not trivial: bytes, overruns, promise steps and interrupts happened
      expect(lazy.log.filter((l) => l.startsWith("promise ")).length).toBeGreaterThan(10);
      expect(lazy.wire[0]!.length).toBeGreaterThan(100);
      expect(lazy.log.some((l) => l.startsWith("gpio "))).toBe(true);
      expect(lazy.log).toEqual(eager.log);
      expect(lazy.wire).toEqual(eager.wire);
      expect(lazy.overruns).toEqual(eager.overruns);
      expect(lazy.framing).toEqual(eager.framing);
      expect(lazy.events).toBe(eager.events);
      expect(lazy.now).toBe(eager.now);
      expect(lazy.vcd).toBe(eager.vcd);
      expect(lazy.trace).toBe(eager.trace);
    }
    // some seed overran a receive ring
    const any = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map(async (s) => (await busyRun(s, false)).overruns.some((n) => n > 0)));
    expect(any).toContain(true);
  });

  it("DST seeds give the same verdict, statistics, event count and Perfetto trace on both", async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const traces: string[] = [];
      const results = [];
      for (const eager of [false, true]) {
        let tr: PerfettoTrace | null = null;
        const r = await runSeed(seed, {
          steps: 120,
          eager,
          tracer: (sim) => {
            tr = new PerfettoTrace(() => sim.now);
            tr.attachUarts(sim.uarts);
            return tr;
          },
        });
        results.push(r);
        traces.push((tr as PerfettoTrace | null)?.toJSON() ?? "");
      }
      expect(results[0]).toEqual(results[1]);
      expect(traces[0]!.length).toBeGreaterThan(1000);
      expect(traces[0]).toBe(traces[1]);
    }
  });
});
