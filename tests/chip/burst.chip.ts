/**
 * Edge bursts on the emulated Pico, counted by the demo firmware's loopback
 * line (GP17, both edges) through the native interrupt capture: 1000 edges
 * driven by the emulator 10 µs apart, then 2 µs apart, must count 1000 each
 * (`irq` reports the line's total). No edge lost, none invented.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { boot, buildImage, ConsoleDriver } from "./chip-env.js";
import type { EmulatedPico } from "../../tools/emu/pico.js";

const MS = 1_000_000;
let pico: EmulatedPico;
let sh: ConsoleDriver;

const loopbackEdges = (): number => {
  sh.mark();
  sh.type("irq\r");
  const out = sh.waitFor(/loopback pin 17: \d+ edges[\s\S]*ioport> $/, 500 * MS);
  return Number(/loopback pin 17: (\d+) edges/.exec(out)?.[1]);
};

beforeAll(() => {
  pico = boot(buildImage([]), false);
  sh = new ConsoleDriver(pico, "uart0");
  sh.waitFor(/type help\r\nioport> $/, 3000 * MS);
}, 900_000);

describe("edge bursts on the emulated Pico (native capture)", () => {
  for (const gapNs of [10_000, 2_000]) {
    it(`counts 1000 edges ${gapNs / 1000} µs apart as 1000`, () => {
      const before = loopbackEdges();
      const t0 = pico.now + 1 * MS;
      for (let k = 0; k < 1000; k++) pico.at(t0 + k * gapNs, () => pico.drive(17, (k & 1) === 0 ? 1 : 0));
      pico.run(t0 + 1000 * gapNs + 20 * MS);
      expect(loopbackEdges() - before).toBe(1000);
    }, 600_000);
  }
});
