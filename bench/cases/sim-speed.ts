/**
 * Simulator speed (Node-side): simulated time per wall second on a busy
 * board — a 1 kHz timer IRQ, UART0 at 115200 baud both ways (the peer
 * streams bytes in, an echo task writes them back), and 10 kHz GPIO edges
 * (a 5 kHz square wave on pin 3, both edges) — each served by a driver-loop
 * task on io_wait_cb. One unit = 1 ms of virtual time.
 *
 * Baseline: the bare discrete-event queue (host-sim/event-queue.ts) popping
 * and re-pushing the same number of events per simulated ms as the busy
 * board runs (measured at set-up), with empty callbacks: no kernel, no
 * device models, no promise settling between events. A second variant runs
 * the same stimulus through the Simulator with no tasks, to separate the
 * simulator's own stepping from the kernel's work; a third runs the full
 * board on the reference models (SimulatorOptions.eager: an event per UART
 * byte, a settle after every event), which give the same results.
 * Targets: the full board within 5× the bare queue (and, read off the
 * units/s column, at least 100 000 simulated ms per wall second).
 *
 * Idle board: a 1 Hz heartbeat only — a periodic timer line the firmware
 * claimed and reads when asked (latched between looks). One unit = one
 * `advance`; the baseline advances 10 s, the variant 100 s of virtual
 * time: with nobody waiting, idle time should cost next to nothing
 * (target: 10× the virtual time within 1.2× the wall time). For contrast,
 * the same heartbeat with a task called back on every tick (each tick is
 * then work that must be done), and the latched one on the eager models.
 */
import { COMPLETION_SIZE, IRQ_FALLING, IRQ_PERIODIC, IRQ_RISING, IRQ_TIMER_BASE, OP_IRQ_WAIT, OP_READ, OP_WRITE, readI64, writeSubmission } from "../../core/index.js";
import type { Task } from "../../core/index.js";
import { EventQueue, Simulator } from "../../host-sim/index.js";
import type { BenchCase, Variant } from "../lib/types.js";

const MS = 1_000_000;
const GPIO_PIN = 3;

/** A driver loop re-arming `opcode` on `fd` from one persistent io_wait_cb callback. */
function irqLoop(t: Task, fd: number): void {
  const { sys } = t;
  const port = sys.io_create(0);
  const sqe = t.alloc(48);
  const cqe = t.alloc(COMPLETION_SIZE * 4);
  writeSubmission(t.view, sqe, 1, 0, OP_IRQ_WAIT, 0, fd, 0, 0, 0);
  const onWait = (n: number): void => {
    if (n < 0) return;
    if (n > 0) sys.io_submit(port, sqe, 1);
    const r = sys.io_wait_cb(port, cqe, 4, 1, 0, onWait);
    if (r >= 0) onWait(r);
  };
  sys.io_submit(port, sqe, 1);
  onWait(0);
}

function echoLoop(t: Task): void {
  const { sys } = t;
  const port = sys.io_create(0);
  const uart = sys.open("/dev/uart0");
  const sqe = t.alloc(48);
  const cqes = t.alloc(COMPLETION_SIZE * 4);
  const rbuf = t.alloc(64);
  const wbufs = [t.alloc(64), t.alloc(64), t.alloc(64), t.alloc(64)];
  let w = 0;
  const read = (): void => {
    writeSubmission(t.view, sqe, 1, 0, OP_READ, 0, uart, rbuf, 16, 0);
    sys.io_submit(port, sqe, 1);
  };
  const onWait = (n: number): void => {
    for (let i = 0; i < n; i++) {
      const at = cqes + i * COMPLETION_SIZE;
      if (t.view.getUint32(at, true) !== 1) continue;
      const res = readI64(t.view, at + 8);
      if (res > 0) {
        const wb = wbufs[w++ & 3] as number;
        t.memory.copyWithin(wb, rbuf, rbuf + res);
        writeSubmission(t.view, sqe, 2, 0, OP_WRITE, 0, uart, wb, res, 0);
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

/** The busy board; `tasks` false = the same stimulus with nothing running on the kernel. */
function busyBoard(tasks: boolean, eager = false): Simulator {
  const sim = new Simulator({ seed: 1, eager });
  const p = sim.platform;
  // 10 kHz edges: toggle every 100 µs, one persistent callback
  let level = 0;
  const pin = sim.gpio(GPIO_PIN);
  const toggle = (_a: unknown, now: number): void => {
    level ^= 1;
    pin.drive(level);
    p.schedule(now + 100_000, toggle, null);
  };
  p.schedule(100_000, toggle, null);
  // the peer streams 12 bytes per ms into UART0 (≈ 115200 baud: 11.52 bytes/ms, so the line stays busy)
  const chunk = Uint8Array.from({ length: 12 }, (_, i) => 0x41 + i);
  const feed = (_a: unknown, now: number): void => {
    sim.uart(0).inject(chunk);
    p.schedule(now + MS, feed, null);
  };
  p.schedule(0, feed, null);
  if (tasks) {
    const t = sim.spawn({ name: "bench", memoryBytes: 16 * 1024 });
    irqLoop(t, t.sys.irq_create(IRQ_TIMER_BASE, IRQ_PERIODIC, MS));
    irqLoop(t, t.sys.irq_create(GPIO_PIN, IRQ_RISING | IRQ_FALLING));
    echoLoop(t);
  }
  return sim;
}

function simVariant(label: string, tasks: boolean, eager = false): Variant {
  return {
    label,
    async setup() {
      const sim = busyBoard(tasks, eager);
      await sim.advance(5 * MS);
      return (n: number) => sim.advance(n * MS);
    },
  };
}

/** Events per simulated ms on the busy board (measured once). */
async function eventsPerMs(): Promise<number> {
  const sim = busyBoard(true);
  await sim.advance(10 * MS);
  const e0 = sim.platform.events.executed;
  await sim.advance(100 * MS);
  return (sim.platform.events.executed - e0) / 100;
}

function baseline(): Variant {
  return {
    label: "bare event queue, same events/ms, no kernel",
    async setup() {
      const perMs = await eventsPerMs();
      const q = new EventQueue();
      const step = MS / perMs;
      let now = 0;
      const setNow = (t: number): void => {
        now = t;
      };
      const cb = (): void => {
        q.push(now + step * 8, cb, null);
      };
      for (let i = 0; i < 8; i++) q.push(i * step, cb, null);
      return (n: number) => {
        const end = now + n * MS;
        while (q.runNext(end, setNow));
        now = end;
      };
    },
  };
}

const FULL = "Simulator + kernel + 3 driver loops";
const S = 1_000_000_000;

/** The idle board: a 1 Hz heartbeat line; `watched`: a task is called back on every tick. */
async function idleBoard(watched: boolean, eager: boolean): Promise<Simulator> {
  const sim = new Simulator({ seed: 1, eager });
  const t = sim.spawn({ name: "idle", memoryBytes: 4 * 1024 });
  const line = t.sys.irq_create(IRQ_TIMER_BASE, IRQ_PERIODIC, S);
  if (watched) irqLoop(t, line);
  await sim.advance(3 * S);
  return sim;
}

function idleVariant(label: string, seconds: number, watched: boolean, eager: boolean): Variant {
  return {
    label,
    async setup() {
      const sim = await idleBoard(watched, eager);
      return async (n: number) => {
        for (let i = 0; i < n; i++) await sim.advance(seconds * S);
      };
    },
  };
}

export function simSpeedCases(): BenchCase[] {
  return [
    {
      id: "sim-speed-busy-board",
      title: "Simulated ms per wall second, busy board (1 kHz timer, 115200 baud both ways, 10 kHz edges)",
      unit: "sim ms",
      baseline: baseline(),
      variants: [simVariant(FULL, true), simVariant("Simulator, same stimulus, no tasks", false), simVariant(`${FULL}, eager reference models`, true, true)],
      targets: [{ label: FULL, maxRatio: 5, engine: "node" }],
    },
    {
      id: "sim-speed-idle-board",
      title: "Idle board (1 Hz heartbeat line, latched): advance 100 s vs 10 s of virtual time",
      unit: "advance",
      baseline: idleVariant("advance 10 s", 10, false, false),
      variants: [
        idleVariant("advance 100 s", 100, false, false),
        idleVariant("advance 100 s, a task called back on every tick", 100, true, false),
        idleVariant("advance 100 s, eager reference models", 100, false, true),
      ],
      targets: [{ label: "advance 100 s", maxRatio: 1.2, engine: "node" }],
    },
  ];
}
