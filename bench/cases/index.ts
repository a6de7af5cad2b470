/** Every benchmark case, in report order. */
import type { BenchCase } from "../lib/types.js";
import { irqCases } from "./irq.js";
import { nopCases } from "./nop.js";
import { simSpeedCases } from "./sim-speed.js";
import { uartCases } from "./uart.js";

export function allCases(): BenchCase[] {
  return [...nopCases(), ...irqCases(), ...uartCases(), ...simSpeedCases()];
}
