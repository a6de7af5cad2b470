/**
 * `npm run test:chip`: the chip tier (tests/chip/*.chip.ts) — firmware built
 * with the real mcconfig and run on an emulated RP2040. Where the Moddable
 * SDK, the Pico toolchain or a bootrom is missing it runs nothing and says
 * so in one line: those tests did not run, and nothing is counted as passed.
 * Exit code: vitest's where it ran, 0 where it could not run.
 */
import { spawnSync } from "node:child_process";
import { chipProblem } from "./emu/requirements.js";

const problem = chipProblem();
if (problem !== null) {
  process.stdout.write(`chip tier: NOT RUN (no test of the chip ran here, none is counted as passed): ${problem}\n`);
  process.exit(0);
}
const r = spawnSync("npx", ["vitest", "run", "--config", "vitest.chip.config.ts", ...process.argv.slice(2)], { stdio: "inherit" });
process.exit(r.status ?? 1);
