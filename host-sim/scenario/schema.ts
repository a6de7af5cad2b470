/**
 * Scenario files for `ioport sim`: the board, the tasks to run, the SPI
 * device models to attach, a stimulus timeline and a duration. A scenario is
 * JSON, or the default export of a JS/TS module (which may also give task
 * functions directly and a `setup(sim, rng)` hook for programmatic stimulus).
 * `validateScenario` checks a value and throws a ScenarioError naming the
 * bad field (`stimulus[2].square.period: ...`).
 */
import type { Task } from "../../core/task.js";
import type { Prng } from "../prng.js";
import type { Simulator } from "../simulator.js";

/** ns as a number, or a string with a unit: "250ns", "10us", "1.5ms", "2s". */
export type Duration = number | string;

/** What a task function receives. */
export interface TaskContext {
  task: Task;
  sys: Task["sys"];
  sim: Simulator;
  board: Simulator["board"];
  /** The task's `options` from the scenario. */
  options: Record<string, unknown>;
  /** Logs a line, stamped with the virtual time and the task's name. */
  log(message: string): void;
}

/**
 * A task: an async function that runs until done (await loops), or a
 * driver-loop style function that arms io_wait_cb callbacks and returns.
 * A throw or a rejection is a task exception: the task exits and
 * `ioport sim` exits non-zero.
 */
export type TaskFn = (ctx: TaskContext) => unknown;

export interface TaskSpec {
  name: string;
  /** Module path (relative to the scenario file) whose export is the task function. */
  module?: string;
  /** Export name (default "default"). */
  export?: string;
  /** The function itself (module scenarios only). */
  run?: TaskFn;
  memoryBytes?: number;
  options?: Record<string, unknown>;
}

export interface SpiAttach {
  bus: number;
  device: "spi-flash";
  options?: Record<string, unknown>;
}

export type Stimulus =
  | { gpio: number; at: number; level: number }
  | { gpio: number; edges: { at: number; level: number }[] }
  | { gpio: number; square: { start: number; period: number; duty: number; count: number } }
  | { gpio: number; burst: { at: number; edges: number; interval: number; jitter: number; level: number } }
  | { uart: number; at: number; send: string; pace?: number }
  | { uart: number; at: number; bytes: number[]; pace?: number }
  | { uart: number; at: number; framingError: number[] };

export interface Scenario {
  name: string;
  description: string;
  board: string;
  seed: number | undefined;
  /** Virtual time to run, ns. */
  duration: number;
  tasks: TaskSpec[];
  spi: SpiAttach[];
  stimulus: Stimulus[];
  setup: ((sim: Simulator, rng: Prng) => void) | undefined;
}

export class ScenarioError extends Error {}

/**
 * The longest `duration` a scenario may ask for: 10 minutes of virtual time.
 * An idle board simulates about a minute of virtual time per wall second and
 * a busy one a few seconds, so this bounds a run to minutes, not days; a
 * longer soak is several runs (or `ioport dst`).
 */
export const MAX_DURATION_NS = 600e9;

/** The task field naming a module (a constant: the core guard reads a bare word in a template as the host global). */
const MODULE_KEY = "module";

const UNITS: Record<string, number> = { ns: 1, us: 1e3, "µs": 1e3, ms: 1e6, s: 1e9 };

/** Parses a Duration into ns (an integer); throws a ScenarioError naming `field`. */
export function parseDuration(v: unknown, field: string): number {
  if (typeof v === "number") {
    if (Number.isFinite(v) && v >= 0) return Math.round(v);
  } else if (typeof v === "string") {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s)\s*$/.exec(v);
    if (m) return Math.round(Number(m[1]) * (UNITS[m[2] as string] as number));
  }
  throw new ScenarioError(`${field}: expected a duration (ns as a number, or a string like "10ms", "250us", "1.5s"), got ${JSON.stringify(v)}`);
}

/** How long a square wave's pin stays high in each period, ns (at least 1, at most period - 1). */
export function squareHighNs(period: number, duty: number): number {
  return Math.max(1, Math.min(period - 1, Math.round(period * duty)));
}

/** When a stimulus starts, ns. */
function firstEventNs(s: Stimulus): number {
  if ("square" in s) return s.square.start;
  if ("burst" in s) return s.burst.at;
  if ("edges" in s) return s.edges.reduce((m, e) => Math.min(m, e.at), Infinity);
  return s.at;
}

/** The latest time a stimulus can act, ns (a burst's jitter counted at its widest; a paced UART entry's last byte). */
export function lastEventNs(s: Stimulus): number {
  if ("square" in s) {
    const q = s.square;
    return q.start + (q.count - 1) * q.period + squareHighNs(q.period, q.duty);
  }
  if ("burst" in s) return s.burst.at + (s.burst.edges - 1) * Math.max(1, s.burst.interval + s.burst.jitter);
  if ("edges" in s) return s.edges.reduce((m, e) => Math.max(m, e.at), 0);
  if ("uart" in s && "pace" in s && s.pace !== undefined) return s.at + (("send" in s ? s.send.length : s.bytes.length) - 1) * s.pace;
  return s.at;
}

/** ns as the shortest exact unit string ("120ms", "1.5s", "250ns"). */
function fmt(ns: number): string {
  for (const [unit, k] of [["s", 1e9], ["ms", 1e6], ["us", 1e3]] as const) {
    if (ns >= k) return `${+(ns / k).toFixed(6)}${unit}`;
  }
  return `${ns}ns`;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** An integer within [min, max]; throws a ScenarioError naming `field`. */
export function int(v: unknown, field: string, min: number, max: number): number {
  if (typeof v === "number" && Number.isInteger(v) && v >= min && v <= max) return v;
  throw new ScenarioError(`${field}: expected an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
}

function level(v: unknown, field: string): number {
  if (v === 0 || v === 1 || v === true || v === false) return v === 1 || v === true ? 1 : 0;
  throw new ScenarioError(`${field}: expected a level 0 or 1, got ${JSON.stringify(v)}`);
}

function onlyKeys(o: Record<string, unknown>, keys: readonly string[], field: string): void {
  for (const k of Object.keys(o)) {
    if (!keys.includes(k)) throw new ScenarioError(`${field}.${k}: unknown field (allowed: ${keys.join(", ")})`);
  }
}

function byteList(v: unknown, field: string): number[] {
  const arr = typeof v === "number" ? [v] : v;
  if (!Array.isArray(arr) || arr.length === 0) throw new ScenarioError(`${field}: expected a byte or a non-empty array of bytes, got ${JSON.stringify(v)}`);
  return arr.map((b, i) => int(b, `${field}[${i}]`, 0, 255));
}

/** Validates one stimulus entry (shared by `ioport sim` and `ioport emu`); throws a ScenarioError naming `f`. */
export function validateStimulus(s: unknown, f: string): Stimulus {
  if (!isObj(s)) throw new ScenarioError(`${f}: expected an object`);
  if ("gpio" in s) {
    onlyKeys(s, ["gpio", "at", "level", "edges", "square", "burst"], f);
    const gpio = int(s.gpio, `${f}.gpio`, 0, 1023);
    if ("square" in s) {
      onlyKeys(s, ["gpio", "square"], f);
      const q = s.square;
      if (!isObj(q)) throw new ScenarioError(`${f}.square: expected { start, period, duty, count }`);
      onlyKeys(q, ["start", "period", "duty", "count"], `${f}.square`);
      const period = parseDuration(q.period, `${f}.square.period`);
      if (period < 2) throw new ScenarioError(`${f}.square.period: must be at least 2 ns`);
      const duty = q.duty === undefined ? 0.5 : q.duty;
      if (typeof duty !== "number" || !(duty > 0 && duty < 1)) throw new ScenarioError(`${f}.square.duty: expected a number between 0 and 1 (exclusive), got ${JSON.stringify(duty)}`);
      return {
        gpio,
        square: { start: q.start === undefined ? 0 : parseDuration(q.start, `${f}.square.start`), period, duty, count: int(q.count, `${f}.square.count`, 1, 10_000_000) },
      };
    }
    if ("burst" in s) {
      onlyKeys(s, ["gpio", "burst"], f);
      const b = s.burst;
      if (!isObj(b)) throw new ScenarioError(`${f}.burst: expected { at, edges, interval, jitter, level }`);
      onlyKeys(b, ["at", "edges", "interval", "jitter", "level"], `${f}.burst`);
      return {
        gpio,
        burst: {
          at: parseDuration(b.at, `${f}.burst.at`),
          edges: int(b.edges, `${f}.burst.edges`, 1, 1_000_000),
          interval: parseDuration(b.interval, `${f}.burst.interval`),
          jitter: b.jitter === undefined ? 0 : parseDuration(b.jitter, `${f}.burst.jitter`),
          level: b.level === undefined ? 1 : level(b.level, `${f}.burst.level`),
        },
      };
    }
    if ("edges" in s) {
      onlyKeys(s, ["gpio", "edges"], f);
      if (!Array.isArray(s.edges)) throw new ScenarioError(`${f}.edges: expected an array of { at, level }`);
      return {
        gpio,
        edges: s.edges.map((e, i) => {
          const g = `${f}.edges[${i}]`;
          if (!isObj(e)) throw new ScenarioError(`${g}: expected { at, level }`);
          onlyKeys(e, ["at", "level"], g);
          return { at: parseDuration(e.at, `${g}.at`), level: level(e.level, `${g}.level`) };
        }),
      };
    }
    onlyKeys(s, ["gpio", "at", "level"], f);
    if (!("level" in s)) throw new ScenarioError(`${f}: a gpio stimulus needs "level" (with "at"), "edges", "square" or "burst"`);
    return { gpio, at: parseDuration(s.at ?? 0, `${f}.at`), level: level(s.level, `${f}.level`) };
  }
  if ("uart" in s) {
    onlyKeys(s, ["uart", "at", "send", "bytes", "framingError", "pace"], f);
    const uart = int(s.uart, `${f}.uart`, 0, 63);
    const at = parseDuration(s.at ?? 0, `${f}.at`);
    // typing speed: the time from one byte's start to the next (absent: back to back, at line rate)
    const pace = s.pace === undefined ? {} : { pace: parseDuration(s.pace, `${f}.pace`) };
    if ("send" in s) {
      onlyKeys(s, ["uart", "at", "send", "pace"], f);
      if (typeof s.send !== "string") throw new ScenarioError(`${f}.send: expected a string`);
      return { uart, at, send: s.send, ...pace };
    }
    if ("bytes" in s) {
      onlyKeys(s, ["uart", "at", "bytes", "pace"], f);
      return { uart, at, bytes: byteList(s.bytes, `${f}.bytes`), ...pace };
    }
    if ("framingError" in s) {
      onlyKeys(s, ["uart", "at", "framingError"], f);
      return { uart, at, framingError: byteList(s.framingError, `${f}.framingError`) };
    }
    throw new ScenarioError(`${f}: a uart stimulus needs "send" (a string), "bytes" or "framingError"`);
  }
  throw new ScenarioError(`${f}: expected a "gpio" or a "uart" stimulus`);
}

/** Validates a parsed scenario (JSON or a module's default export). */
export function validateScenario(v: unknown, allowFunctions = false): Scenario {
  if (!isObj(v)) throw new ScenarioError("scenario: expected an object");
  onlyKeys(v, ["$schema", "name", "description", "board", "seed", "duration", "tasks", "spi", "stimulus", "setup"], "scenario");
  if (v.duration === undefined) throw new ScenarioError('duration: required (how much virtual time to run, e.g. "200ms")');
  const duration = parseDuration(v.duration, "duration");
  if (duration > MAX_DURATION_NS) {
    throw new ScenarioError(`duration: ${JSON.stringify(v.duration)} is beyond the simulator's limit of ${MAX_DURATION_NS / 1e9} s of virtual time per run; shorten it, or split the run`);
  }
  if (duration === 0) throw new ScenarioError(`duration: must be more than 0 (how much virtual time to run, e.g. "200ms")`);
  if (v.name !== undefined && typeof v.name !== "string") throw new ScenarioError("name: expected a string");
  if (v.description !== undefined && typeof v.description !== "string") throw new ScenarioError("description: expected a string");
  if (v.board !== undefined && typeof v.board !== "string") throw new ScenarioError("board: expected a board name");
  const seed = v.seed === undefined ? undefined : int(v.seed, "seed", 0, 0xffffffff);
  if (!Array.isArray(v.tasks) || v.tasks.length === 0) throw new ScenarioError("tasks: expected a non-empty array of { name, module } tasks");
  const names = new Set<string>();
  const tasks = v.tasks.map((t, i): TaskSpec => {
    const f = `tasks[${i}]`;
    if (!isObj(t)) throw new ScenarioError(`${f}: expected { name, ${MODULE_KEY} }`);
    onlyKeys(t, ["name", "module", "export", "run", "memoryBytes", "options"], f);
    const name = t.name === undefined ? `task${i + 1}` : t.name;
    if (typeof name !== "string" || name === "") throw new ScenarioError(`${f}.name: expected a non-empty string`);
    if (names.has(name)) throw new ScenarioError(`${f}.name: duplicate task name "${name}"`);
    names.add(name);
    const spec: TaskSpec = { name };
    if (t.run !== undefined) {
      if (!allowFunctions || typeof t.run !== "function") throw new ScenarioError(`${f}.run: a task function is allowed only in a JS/TS scenario file; in JSON give "${MODULE_KEY}"`);
      spec.run = t.run as TaskFn;
    } else {
      if (typeof t.module !== "string" || t.module === "") throw new ScenarioError(`${f}.${MODULE_KEY}: expected the path of a task file (relative to the scenario file)`);
      spec.module = t.module;
    }
    if (t.export !== undefined) {
      if (typeof t.export !== "string") throw new ScenarioError(`${f}.export: expected an export name`);
      spec.export = t.export;
    }
    if (t.memoryBytes !== undefined) spec.memoryBytes = int(t.memoryBytes, `${f}.memoryBytes`, 16, 0x40000000);
    if (t.options !== undefined) {
      if (!isObj(t.options)) throw new ScenarioError(`${f}.options: expected an object`);
      spec.options = t.options;
    }
    return spec;
  });
  const spi = (v.spi === undefined ? [] : Array.isArray(v.spi) ? v.spi : [v.spi]).map((d, i): SpiAttach => {
    const f = `spi[${i}]`;
    if (!isObj(d)) throw new ScenarioError(`${f}: expected { bus, device: "spi-flash" }`);
    onlyKeys(d, ["bus", "device", "options"], f);
    if (d.device !== "spi-flash") throw new ScenarioError(`${f}.device: unknown device model ${JSON.stringify(d.device)} (known: "spi-flash")`);
    if (d.options !== undefined && !isObj(d.options)) throw new ScenarioError(`${f}.options: expected an object`);
    return { bus: int(d.bus ?? 0, `${f}.bus`, 0, 63), device: "spi-flash", ...(d.options ? { options: d.options } : {}) };
  });
  if (v.stimulus !== undefined && !Array.isArray(v.stimulus)) throw new ScenarioError("stimulus: expected an array");
  const stim = ((v.stimulus as unknown[] | undefined) ?? []).map((s, i) => validateStimulus(s, `stimulus[${i}]`));
  stim.forEach((s, i) => {
    const last = lastEventNs(s);
    if (last > duration) {
      throw new ScenarioError(
        firstEventNs(s) > duration
          ? `stimulus[${i}]: starts at ${fmt(firstEventNs(s))}, after the scenario's duration ${fmt(duration)}, so it would never happen; lengthen "duration" or move the stimulus`
          : `stimulus[${i}]: lasts until ${fmt(last)}, after the scenario's duration ${fmt(duration)}, so it would be cut short; lengthen "duration" or shorten the stimulus`,
      );
    }
  });
  if (v.setup !== undefined && (!allowFunctions || typeof v.setup !== "function")) {
    throw new ScenarioError("setup: a setup(sim, rng) function is allowed only in a JS/TS scenario module");
  }
  return {
    name: (v.name as string | undefined) ?? "scenario",
    description: (v.description as string | undefined) ?? "",
    board: (v.board as string | undefined) ?? "sim-devkit",
    seed,
    duration,
    tasks,
    spi,
    stimulus: stim,
    setup: v.setup as Scenario["setup"],
  };
}
