/** Every benchmark case, in report order. */
import type { BenchCase } from "../lib/types.js";
import { nopCases } from "./nop.js";

export function allCases(): BenchCase[] {
  return [...nopCases()];
}
