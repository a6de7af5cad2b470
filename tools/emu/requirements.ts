/**
 * What running firmware on the emulated Pico needs on this machine: the
 * Moddable SDK with its Pico target (pico-sdk) to build the image, and an
 * RP2040 bootrom for rp2040js. docs/chip.md says how to set them up.
 */
import { existsSync } from "node:fs";
import { sdkProblem } from "../commands/firmware.js";

/** What is missing to build and run Pico firmware here, or null when nothing is. */
export function chipProblem(env: NodeJS.ProcessEnv = process.env): string | null {
  const sdk = sdkProblem(env);
  if (sdk !== null) return sdk;
  if (!env.PICO_SDK_DIR) return "$PICO_SDK_DIR is not set: install pico-sdk 2.2.0 for the Moddable SDK's Pico target (docs/chip.md)";
  const rom = env.IOPORT_BOOTROM ?? "";
  if (rom === "" || !existsSync(rom)) return `$IOPORT_BOOTROM ${rom === "" ? "is not set" : `names a missing file (${rom})`}: give it an RP2040 bootrom (docs/chip.md)`;
  return null;
}
