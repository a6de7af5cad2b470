/**
 * Synchronous virtual time for benchmarks. `Simulator.advance()` settles
 * promise jobs (a setImmediate turn) after every event, which is right for
 * tests and would dominate a benchmark: the driver loops here use
 * io_wait_cb, whose callbacks run inside the kernel's flush, so running the
 * due events in order is all that advancing time needs.
 */
import type { Simulator } from "../../host-sim/index.js";

/** Runs every event due up to `sim.now + ns`, in order, then sets the clock there. */
export function advanceSync(sim: Simulator, ns: number): void {
  const platform = sim.platform;
  const end = platform.clock + ns;
  const setNow = (t: number): void => {
    platform.clock = t;
  };
  while (platform.events.runNext(end, setNow));
  platform.clock = end;
}

/** A persistent clock setter (no closure per call), for the hot loops. */
export function clockSetter(sim: Simulator): (t: number) => void {
  const platform = sim.platform;
  return (t: number): void => {
    platform.clock = t;
  };
}
