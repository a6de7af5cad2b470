/**
 * Board descriptions known to the simulator, by name. Board files live in
 * `boards/` and are shared with the firmware.
 */
import pico from "../boards/pico.json" with { type: "json" };
import simDevkit from "../boards/sim-devkit.json" with { type: "json" };

export interface BoardUart {
  path: string;
  baud: number;
  rxBuffer: number;
}
export interface BoardSpi {
  path: string;
  hz: number;
}
export interface BoardSpec {
  name: string;
  description: string;
  moddable: unknown;
  gpio: { pins: number };
  uart: BoardUart[];
  spi: BoardSpi[];
  timers: number;
  led?: number;
  button?: number;
  loopback?: { out: number; in: number };
  /** Modelled interrupt latency, uniform in [min, max] ns from the seeded PRNG (absent or 0: none). */
  irqLatencyNs?: { min: number; max: number };
  /**
   * Modelled software costs on the interrupt path, ns (used by `ioport hil --sim`):
   * `dispatch` from the backend's callback through the kernel to an io_wait_cb
   * callback, `promiseHop` the extra promise job of the io_wait/await form.
   */
  irqCostNs?: { dispatch: number; promiseHop: number };
}

const BOARDS: Record<string, BoardSpec> = {
  "sim-devkit": simDevkit as BoardSpec,
  pico: pico as BoardSpec,
};

export function boardNames(): string[] {
  return Object.keys(BOARDS);
}

/** The board named `name`; throws an Error listing the known boards otherwise. */
export function loadBoard(name: string): BoardSpec {
  const b = BOARDS[name];
  if (b === undefined) {
    throw new Error(`ioport: unknown board "${name}"; known boards: ${boardNames().join(", ")}`);
  }
  return b;
}
