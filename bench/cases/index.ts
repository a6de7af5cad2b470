/** Every benchmark case, in report order. */
import type { BenchCase } from "../lib/types.js";
import { nopCases } from "./nop.js";
import { simSpeedCases } from "./sim-speed.js";

export function allCases(): BenchCase[] {
  return [...nopCases(), ...simSpeedCases()];
}
