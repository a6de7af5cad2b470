/**
 * Stimulus for `ioport emu`, in the scenario format `ioport sim` reads
 * (host-sim/scenario/schema.ts) where it fits: `duration`, and `stimulus`
 * entries for GPIO pins (a level at a time, edges, a square wave, a bouncing
 * burst) and UARTs (`send` a string or `bytes`, typed `pace` apart, else
 * back to back at line rate). What only the simulator has is refused with
 * the reason: tasks (the emulator runs the firmware in the image), SPI device
 * models and UART framing errors (rp2040js models neither).
 */
import { Prng } from "../../host-sim/prng.js";
import { gpioLevels } from "../../host-sim/scenario/run.js";
import { int, lastEventNs, parseDuration, ScenarioError, validateStimulus, type Stimulus } from "../../host-sim/scenario/schema.js";
import type { EmulatedPico } from "./pico.js";

export interface EmuScenario {
  name: string;
  duration: number | null;
  seed: number;
  stimulus: Stimulus[];
}

const ALLOWED = ["$schema", "name", "description", "board", "seed", "duration", "stimulus"];
const REFUSED: Record<string, string> = {
  tasks: "an emulator runs the firmware in the .uf2: tasks are for ioport sim",
  spi: "rp2040js has no SPI device models: SPI devices are for ioport sim",
  setup: "a setup(sim, rng) hook drives the host simulator: it is for ioport sim",
};

export function validateEmuScenario(v: unknown): EmuScenario {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new ScenarioError("scenario: expected an object");
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    const why = REFUSED[k];
    if (why !== undefined) throw new ScenarioError(`${k}: not for ioport emu (${why})`);
    if (!ALLOWED.includes(k)) throw new ScenarioError(`${k}: unknown field (allowed: ${ALLOWED.join(", ")})`);
  }
  if (o.stimulus !== undefined && !Array.isArray(o.stimulus)) throw new ScenarioError("stimulus: expected an array");
  const stimulus = ((o.stimulus as unknown[] | undefined) ?? []).map((s, i) => validateStimulus(s, `stimulus[${i}]`));
  stimulus.forEach((s, i) => {
    if ("framingError" in s) throw new ScenarioError(`stimulus[${i}].framingError: not for ioport emu (rp2040js's UART has no framing errors)`);
  });
  const seed = o.seed === undefined ? 1 : int(o.seed, "seed", 0, 0xffffffff); // as ioport sim takes it
  return {
    name: typeof o.name === "string" ? o.name : "scenario",
    duration: o.duration === undefined ? null : parseDuration(o.duration, "duration"),
    seed,
    stimulus,
  };
}

/** The last moment any stimulus acts (ns): a UART entry's last byte starts then (typed at line rate when no pace is given; `byteNs(i)`: a byte's time on the board's UART i). */
export function stimulusEnd(sc: EmuScenario, byteNs: (uart: number) => number): number {
  let end = 0;
  for (const s of sc.stimulus) {
    const paced = "uart" in s && !("framingError" in s) && s.pace === undefined ? { ...s, pace: byteNs(s.uart) } : s;
    end = Math.max(end, lastEventNs(paced));
  }
  return end;
}

/** Schedules every stimulus entry on the emulated board. */
export function applyEmuStimulus(pico: EmulatedPico, sc: EmuScenario): void {
  const rng = new Prng((sc.seed ^ 0x51a7e5) >>> 0);
  for (const s of sc.stimulus) {
    if ("uart" in s) {
      if ("framingError" in s) continue; // refused by validateEmuScenario
      // `uart` indexes the board file's UARTs, as in ioport sim; the chip's port is that entry's
      const port = pico.board.uart[s.uart]?.port;
      if (port === undefined) throw new ScenarioError(`uart ${s.uart}: board ${pico.board.name} has no UART ${s.uart} with pins (a stimulus needs one)`);
      const bytes = "send" in s ? Array.from(s.send, (c) => c.charCodeAt(0) & 0xff) : s.bytes;
      pico.typeAt(port, s.at, bytes, Math.max(s.pace ?? 0, pico.byteNs(port)));
      continue;
    }
    for (const e of gpioLevels(s, rng)) pico.at(e.at, () => pico.drive(s.gpio, e.level));
  }
}
