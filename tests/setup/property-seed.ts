/**
 * Property tests (fast-check) take a fresh random seed on every run, so CI
 * explores new cases each time, and a failure says how to replay it:
 *
 *   IOPORT_FC_SEED=<seed> IOPORT_FC_PATH=<path> npx vitest run tests/<file>.test.ts
 *
 * With IOPORT_FC_SEED set every property replays that seed (and, with
 * IOPORT_FC_PATH, goes straight to the shrunk counterexample). Registered
 * for every test file by vitest.config.ts (setupFiles); docs/design.md,
 * "Testing", says the same.
 */
import fc from "fast-check";

const seed = process.env.IOPORT_FC_SEED;
const path = process.env.IOPORT_FC_PATH;
if (seed !== undefined && !/^-?\d+$/.test(seed)) throw new Error(`IOPORT_FC_SEED must be an integer, got "${seed}"`);

function replayHint(d: fc.RunDetails<unknown>): string {
  const p = d.counterexamplePath === null ? "" : ` IOPORT_FC_PATH=${d.counterexamplePath}`;
  return `\nreplay: IOPORT_FC_SEED=${d.seed}${p} npx vitest run <this test file>`;
}

fc.configureGlobal({
  ...(seed === undefined ? {} : { seed: Number(seed) }),
  ...(path === undefined ? {} : { path }),
  // one reporter for sync and async properties (fast-check takes only one)
  reporter(d) {
    if (d.failed) throw new Error(fc.defaultReportMessage(d) + replayHint(d), { cause: d.errorInstance });
  },
});
