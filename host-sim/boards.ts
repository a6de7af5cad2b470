/**
 * Board descriptions known to the simulator, by name. Board files live in
 * `boards/` and are shared with the firmware (`ioport firmware` inlines one
 * into the bundle). Every board is checked against `boards/board.schema.json`
 * when this module loads, and against what the schema cannot say (pins in
 * range, distinct paths), so a bad board file fails loudly and early.
 */
import type { BoardSpec } from "../core/board.js";
import schema from "../boards/board.schema.json" with { type: "json" };
import esp32Devkitc from "../boards/esp32-devkitc.json" with { type: "json" };
import esp32S3Devkitc from "../boards/esp32-s3-devkitc.json" with { type: "json" };
import pico from "../boards/pico.json" with { type: "json" };
import simDevkit from "../boards/sim-devkit.json" with { type: "json" };
import { validate, type JsonSchema } from "./json-schema.js";

export type { BoardSpec, BoardUart, BoardSpi, BoardModdable, BoardButtonWiring } from "../core/board.js";

/** Problems with `board` as a board description: schema violations, then cross-field checks. None when valid. */
export function checkBoard(board: unknown): string[] {
  const errors = validate(schema as JsonSchema, board);
  if (errors.length > 0) return errors;
  const b = board as BoardSpec;
  const pins = b.gpio.pins;
  const pin = (what: string, p: number | undefined) => {
    if (p !== undefined && p >= pins) errors.push(`${what}: pin ${p} is not below gpio.pins (${pins})`);
  };
  pin("led", b.led);
  pin("button", b.button);
  pin("loopback.out", b.loopback?.out);
  pin("loopback.in", b.loopback?.in);
  if (b.loopback && b.loopback.out === b.loopback.in) errors.push("loopback: out and in must be different pins");
  b.uart.forEach((u, i) => {
    pin(`uart[${i}].tx`, u.tx);
    pin(`uart[${i}].rx`, u.rx);
    if (b.moddable.io && (u.port === undefined || u.tx === undefined || u.rx === undefined)) {
      errors.push(`uart[${i}]: a board with ECMA-419 IO needs port, tx and rx`);
    }
  });
  b.spi.forEach((sp, i) => {
    for (const k of ["clock", "out", "in", "select"] as const) pin(`spi[${i}].${k}`, sp[k]);
    if (b.moddable.io && (sp.clock === undefined || sp.out === undefined || sp.in === undefined)) {
      errors.push(`spi[${i}]: a board with ECMA-419 IO needs clock, out and in pins`);
    }
  });
  const paths = [...b.uart.map((u) => u.path), ...b.spi.map((s) => s.path)];
  if (new Set(paths).size !== paths.length) errors.push("device paths must be distinct");
  if (b.irqLatencyNs && b.irqLatencyNs.min > b.irqLatencyNs.max) errors.push("irqLatencyNs: min is more than max");
  if (b.console !== undefined && !b.uart.some((u) => u.path === b.console)) errors.push(`console: ${b.console} is not one of the board's UARTs`);
  return errors;
}

const FILES: unknown[] = [simDevkit, pico, esp32Devkitc, esp32S3Devkitc];

const BOARDS: Record<string, BoardSpec> = {};
for (const f of FILES) {
  const name = (f as { name?: unknown }).name;
  const errors = checkBoard(f);
  if (errors.length > 0) throw new Error(`ioport: board file boards/${String(name)}.json is invalid:\n  ${errors.join("\n  ")}`);
  BOARDS[name as string] = f as BoardSpec;
}

export function boardNames(): string[] {
  return Object.keys(BOARDS);
}

/** The board named `name`; throws an Error listing the known boards otherwise. */
export function loadBoard(name: string): BoardSpec {
  const b = Object.prototype.hasOwnProperty.call(BOARDS, name) ? BOARDS[name] : undefined;
  if (b === undefined) {
    throw new Error(`ioport: unknown board "${name}"; known boards: ${boardNames().join(", ")}`);
  }
  return b;
}
