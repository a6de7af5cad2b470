/**
 * Runs a validated scenario on a fresh Simulator: attaches the SPI device
 * models, schedules the stimulus, spawns the tasks and advances virtual time
 * to the scenario's duration in chunks (so a caller can show progress).
 * Task exceptions (a throw, a rejected promise, an io_wait_cb callback that
 * throws) are recorded, never fatal to the run. Engine-neutral: loading
 * files and modules is the CLI's job.
 */
import type { KernelTracer } from "../../core/trace.js";
import { SpiFlash, type SpiFlashOptions } from "../devices/spi-flash.js";
import { Prng } from "../prng.js";
import { Simulator } from "../simulator.js";
import { squareHighNs, type Scenario, type Stimulus, type TaskFn } from "./schema.js";

export interface TaskOutcome {
  name: string;
  /** "running" (still blocked or driven by callbacks), "returned", "threw". */
  state: "running" | "returned" | "threw";
  error?: string;
}

export interface ScenarioRunOptions {
  /** Seed (default: the scenario's, else 1). */
  seed?: number;
  /** Task functions by task name (resolved by the caller from `module`/`run`). */
  tasks: ReadonlyMap<string, TaskFn>;
  /** Called with the simulator before anything runs (attach tracers, VCD). */
  onSimulator?: (sim: Simulator) => KernelTracer | null;
  /** Virtual time per advance (default 1 ms). */
  chunkNs?: number;
  /** Called after each chunk. */
  onChunk?: (sim: Simulator) => void;
  /** Log lines from tasks (default: dropped). */
  log?: (line: string, sim: Simulator) => void;
}

export interface ScenarioResult {
  sim: Simulator;
  seed: number;
  tasks: TaskOutcome[];
  /** Exceptions thrown by io_wait_cb callbacks (the kernel contained them). */
  callbackErrors: string[];
  spiFlash: Map<number, SpiFlash>;
}

function errText(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

/** The levels a GPIO stimulus drives, in time order: shared by the simulator and the emulator (tools/emu). */
export function gpioLevels(s: Extract<Stimulus, { gpio: number }>, rng: Prng): { at: number; level: number }[] {
  const out: { at: number; level: number }[] = [];
  if ("square" in s) {
    const { start, period, duty, count } = s.square;
    const high = squareHighNs(period, duty);
    for (let k = 0; k < count; k++) {
      out.push({ at: start + k * period, level: 1 });
      out.push({ at: start + k * period + high, level: 0 });
    }
  } else if ("burst" in s) {
    // a bouncing contact: `edges` toggles about `interval` apart (± jitter), settling at `level`
    const { at, edges, interval, jitter, level } = s.burst;
    let t = at;
    for (let k = 0; k < edges; k++) {
      out.push({ at: t, level: (edges - 1 - k) % 2 === 0 ? level : level ^ 1 });
      t += Math.max(1, interval + (jitter > 0 ? rng.int(-jitter, jitter) : 0));
    }
  } else if ("edges" in s) {
    for (const e of s.edges) out.push({ at: e.at, level: e.level });
  } else {
    out.push({ at: s.at, level: s.level });
  }
  return out;
}

/** Schedules one stimulus entry. */
export function applyStimulus(sim: Simulator, s: Stimulus, rng: Prng): void {
  if ("gpio" in s) {
    const pin = sim.gpio(s.gpio);
    for (const e of gpioLevels(s, rng)) sim.at(e.at, () => pin.drive(e.level));
    return;
  }
  const u = sim.uart(s.uart);
  if ("framingError" in s) {
    sim.at(s.at, () => u.injectFramingError(s.framingError));
    return;
  }
  const bytes = "send" in s ? s.send : s.bytes;
  if (s.pace === undefined) {
    sim.at(s.at, () => u.inject(bytes));
    return;
  }
  // typed at a pace: one byte at a time (a pace shorter than a byte's time on the line queues them back to back)
  for (let k = 0; k < bytes.length; k++) {
    const one = typeof bytes === "string" ? bytes.charAt(k) : [bytes[k] as number];
    sim.at(s.at + k * s.pace, () => u.inject(one));
  }
}

export async function runScenario(sc: Scenario, opts: ScenarioRunOptions): Promise<ScenarioResult> {
  const seed = opts.seed ?? sc.seed ?? 1;
  const sim = new Simulator({ board: sc.board, seed });
  const tracer = opts.onSimulator ? opts.onSimulator(sim) : null;
  if (tracer !== null) sim.kernel.tracer = tracer;
  const spiFlash = new Map<number, SpiFlash>();
  for (const d of sc.spi) {
    const flash = new SpiFlash(d.options as SpiFlashOptions | undefined);
    sim.spi(d.bus).attach(flash);
    spiFlash.set(d.bus, flash);
  }
  // stimulus randomness (jitter) has its own stream, so adding a task does not change it
  const rng = new Prng((seed ^ 0x51a7e5) >>> 0);
  for (const s of sc.stimulus) applyStimulus(sim, s, rng);
  if (sc.setup) sc.setup(sim, rng);
  const outcomes: TaskOutcome[] = [];
  for (const spec of sc.tasks) {
    const fn = opts.tasks.get(spec.name);
    if (fn === undefined) throw new Error(`ioport: no function for task "${spec.name}"`);
    const task = sim.spawn({ name: spec.name, ...(spec.memoryBytes ? { memoryBytes: spec.memoryBytes } : {}) });
    const outcome: TaskOutcome = { name: spec.name, state: "running" };
    outcomes.push(outcome);
    const failed = (e: unknown): void => {
      outcome.state = "threw";
      outcome.error = errText(e);
      task.exit();
    };
    const ctx = {
      task,
      sys: task.sys,
      sim,
      board: sim.board,
      options: spec.options ?? {},
      log: (m: string) => opts.log?.(`[${(sim.now / 1e6).toFixed(3)} ms] ${spec.name}: ${m}`, sim),
    };
    try {
      const r = fn(ctx);
      if (r instanceof Promise) {
        r.then(
          () => {
            if (outcome.state === "running") outcome.state = "returned";
          },
          failed,
        );
      }
      // a driver-loop style function returns at once and keeps running on callbacks
    } catch (e) {
      failed(e);
    }
  }
  const callbackErrors: string[] = [];
  const chunk = opts.chunkNs ?? 1_000_000;
  const end = sc.duration;
  while (sim.now < end) {
    try {
      await sim.advance(Math.min(chunk, end - sim.now));
    } catch (e) {
      callbackErrors.push(`[${(sim.now / 1e6).toFixed(3)} ms] ${errText(e)}`);
    }
    opts.onChunk?.(sim);
  }
  return { sim, seed, tasks: outcomes, callbackErrors, spiFlash };
}
