/**
 * A programmatic scenario (a TypeScript module): the same debounced-button
 * task, with stimulus generated in code — 6 presses at random moments, each
 * bouncing a random number of times — from the scenario's seeded PRNG, so
 * `--seed N` gives a different but reproducible run.
 */
import type { Prng, Simulator } from "ioport/host-sim";

export default {
  name: "noisy-button",
  description: "Debounced button under randomized bouncing presses.",
  duration: "400ms",
  tasks: [{ name: "button", module: "./tasks/debounce.ts", options: { debounceMs: 8 } }],
  setup(sim: Simulator, rng: Prng) {
    const button = sim.gpio(sim.board.button ?? 0);
    let t = 5_000_000;
    for (let press = 0; press < 6; press++) {
      for (const settle of [1, 0]) {
        const bounces = rng.int(0, 8);
        for (let i = 0; i < bounces * 2; i++) {
          const lvl = i % 2 === 0 ? settle : settle ^ 1;
          sim.at(t + i * rng.int(50_000, 300_000), () => button.drive(lvl));
        }
        sim.at(t + bounces * 2 * 300_000 + 1, () => button.drive(settle));
        t += rng.int(20, 40) * 1_000_000;
      }
    }
  },
};
