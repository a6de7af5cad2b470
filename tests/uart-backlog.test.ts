// The simulated UART's queue of injected bytes not arrived yet (a byte
// queue and a ring of bursts, host-sim/devices/uart.ts): with a backlog that
// grows past both initial sizes, wraps the ring and is compacted, every byte
// arrives in order at the contract's time — byte k (1-based) of a burst
// starting at t0 at t0 + ceil(k·10^10/baud), a burst starting when the one
// before has arrived — checked against that formula computed here.
import { describe, expect, it } from "vitest";
import { Prng, Simulator } from "../host-sim/index.js";

describe("simulated UART backlog", () => {
  for (const eager of [false, true]) {
    it(`bytes injected faster than the line carries them arrive in order at the formula's times (${eager ? "eager" : "lazy"} models)`, async () => {
      const sim = new Simulator({ seed: 3, eager });
      const uart = sim.uart(1);
      const got: string[] = [];
      uart.onReceive = (byte, _ok, now) => got.push(`${byte}@${now}`);
      const rng = new Prng(9);
      const want: string[] = [];
      let busyUntil = -Infinity;
      let at = 0;
      let framing = 0;
      const ends: { end: number; n: number }[] = [];
      let maxBursts = 0;
      let maxBytes = 0;
      const charTime = (k: number): number => Number((BigInt(k) * 10n ** 10n + BigInt(uart.baud) - 1n) / BigInt(uart.baud));
      for (let i = 0; i < 1500; i++) {
        // bursts of up to 60 bytes every 0-2 ms: the line (about 11.5 bytes/ms) falls behind, then catches up;
        // then 12 bytes every ms: a short backlog that never empties (the byte queue compacted in place)
        at += i >= 300 ? 1_000_000 : i % 100 < 70 ? rng.int(0, 2_000_000) : rng.int(5_000_000, 20_000_000);
        const bytes = Array.from({ length: i >= 300 ? 12 : rng.int(1, 60) }, () => rng.int(0, 255));
        const bad = rng.int(0, 9) === 0;
        const t = at;
        sim.at(t, () => (bad ? uart.injectFramingError(bytes) : uart.inject(bytes)));
        const t0 = Math.max(busyUntil, t);
        bytes.forEach((b, k) => want.push(`${b}@${t0 + charTime(k + 1)}`));
        busyUntil = t0 + charTime(bytes.length);
        // the backlog when this burst is queued: bursts (and their bytes) not wholly arrived
        ends.push({ end: busyUntil, n: bytes.length });
        const pending = ends.filter((e) => e.end > t);
        maxBursts = Math.max(maxBursts, pending.length);
        maxBytes = Math.max(maxBytes, pending.reduce((a, e) => a + e.n, 0));
        if (bad) framing += bytes.length;
      }
      // past the queue's first sizes (16 bursts, 256 bytes)
      expect(maxBursts).toBeGreaterThan(32);
      expect(maxBytes).toBeGreaterThan(512);
      await sim.advance(at + 200_000_000);
      expect(got.length).toBe(want.length);
      expect(got).toEqual(want);
      expect(uart.framingErrors).toBe(framing);
    });
  }
});
