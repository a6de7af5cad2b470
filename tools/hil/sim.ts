/**
 * `ioport hil --sim`: the engine-neutral probe (firmware/irq-latency/probe.ts)
 * run in the host simulator on a board's models. What is modelled (all of
 * it from the board file, sampled from the seeded `sim.rng` where random):
 *
 * - (a) raw callback: the board's edge-to-callback latency `irqLatencyNs`
 *   (SimGpio delivers the edge to a raw watcher that much later);
 * - (b) io_wait_cb: the same edge through the real kernel (irq_create,
 *   OP_IRQ_WAIT, io_wait_cb — the code that runs on the board), plus
 *   `irqCostNs.dispatch`, the CPU time of that path on the board, which the
 *   virtual clock cannot see (the kernel runs in zero virtual time);
 * - (c) io_wait + await: (b) plus `irqCostNs.promiseHop`, the promise job;
 * - (d) multishot io_watch: the same edge through the real kernel (one
 *   multishot OP_IRQ_WAIT arm, io_watch), plus `irqCostNs.dispatchMultishot`
 *   (absent: `dispatch`).
 * The clock the probe reads is virtual time floored to whole µs, like the
 * board's `time_us_64()`.
 */
import { boardNames, loadBoard } from "../../host-sim/boards.js";
import { Simulator } from "../../host-sim/index.js";
import { CallbackMode, PromiseMode, WatchMode } from "../../firmware/irq-latency/kernel-modes.js";
import { Probe, type ModeHooks, type ModeName, type ProbeHost } from "../../firmware/irq-latency/probe.js";

export interface SimProbeOptions {
  board: string;
  samples: number;
  seed?: number;
  modes?: readonly ModeName[];
  /** Called with every line as the probe emits it. */
  onLine?: (line: string) => void;
}

/** A board without a cost model: `--sim` would print what nobody measured (every ratio 1.00×). */
export class NoModelError extends Error {}

/** The boards that carry a cost model (`irqCostNs`), which `--sim` needs. */
export function modelledBoards(): string[] {
  return boardNames().filter((n) => loadBoard(n).irqCostNs !== undefined);
}

/** Runs the probe in the simulator; resolves with every emitted line. */
export async function runSimProbe(options: SimProbeOptions): Promise<string[]> {
  const seed = options.seed ?? 1;
  const sim = new Simulator({ board: options.board, seed });
  const board = sim.board;
  if (board.irqCostNs === undefined) {
    throw new NoModelError(
      `board ${board.name} has no measured interrupt-path costs ("irqCostNs" in boards/${board.name}.json), so --sim has nothing to model; boards with a model: ${modelledBoards().join(", ")} (measure one with ioport emu --probe, docs/chip.md)`,
    );
  }
  const lb = board.loopback;
  if (lb === undefined) {
    throw new Error(`ioport hil: board ${board.name} has no "loopback" pins in its board file; the probe needs a jumper from an output to an input`);
  }
  const dispatchNs = board.irqCostNs.dispatch;
  const hopNs = board.irqCostNs.promiseHop;
  const multishotNs = board.irqCostNs.dispatchMultishot ?? dispatchNs;
  const lines: string[] = [];
  const host: ProbeHost = {
    now: () => Math.floor(sim.now / 1000),
    write: (level) => sim.gpioBank.write(lb.out, level),
    after: (us, fn) => {
      sim.after(Math.max(1, Math.round(us * 1000)), fn);
    },
    emit: (line) => {
      lines.push(line);
      if (options.onLine) options.onLine(line);
    },
  };
  const gpio = sim.gpioBank;
  const raw: ModeHooks = {
    start: (onEdge) => gpio.watch(lb.in, 3, { raise: () => onEdge() }),
    stop: () => gpio.unwatch(lb.in),
  };
  const task = sim.spawn({ name: "irq-latency", memoryBytes: 4096 });
  const hooks = {
    a: raw,
    b: delayed(sim, new CallbackMode(task, lb.in), dispatchNs),
    c: delayed(sim, new PromiseMode(task, lb.in), dispatchNs + hopNs),
    d: delayed(sim, new WatchMode(task, lb.in), multishotNs),
  };
  const probe = new Probe(host, hooks, {
    board: board.name,
    samples: options.samples,
    seed,
    clock: "sim",
    ...(options.modes ? { modes: options.modes } : {}),
  });
  await sim.run(() => new Promise<void>((resolve) => probe.start(resolve)));
  task.exit();
  return lines;
}

/** The mode's user code runs `ns` of virtual time after its path delivered the edge (modelled CPU cost). */
function delayed(sim: Simulator, inner: ModeHooks, ns: number): ModeHooks {
  if (ns <= 0) return inner;
  let t = 0;
  const stamp = inner.stamp;
  return {
    start: (onEdge) =>
      inner.start(() => {
        // the IrqEvent is read when the user code runs, as on a board: its value does not change meanwhile
        if (stamp !== undefined) t = stamp();
        sim.after(ns, onEdge);
      }),
    stop: () => inner.stop(),
    ...(stamp !== undefined ? { stamp: () => t } : {}),
  };
}
