import { describe, it, expect } from "vitest";
import { OP_IRQ_WAIT, OP_TIMEOUT, IRQ_RISING, IRQ_FALLING, COMPLETION_SIZE, readI64 } from "../core/index.js";
import { Simulator } from "../host-sim/index.js";
import { submit } from "./dev-helpers.js";

const MS = 1_000_000;

/**
 * Firmware-style debounced button: wait for an edge; then wait 10 ms and
 * swallow the bounces latched meanwhile; if the button reads pressed (1),
 * toggle the LED. An async task on io_wait, as a user would write it.
 */
async function debounceTask(sim: Simulator, presses: { n: number }) {
  const t = sim.spawn({ name: "button" });
  const { sys } = t;
  const port = sys.io_create(0);
  const button = sim.board.button as number;
  const led = sim.board.led as number;
  const irq = sys.irq_create(button, IRQ_RISING | IRQ_FALLING);
  const cqe = t.alloc(COMPLETION_SIZE);
  let on = 0;
  for (;;) {
    submit(t, port, { userData: 1, opcode: OP_IRQ_WAIT, fd: irq });
    if ((await sys.io_wait(port, cqe, 1, 1, 0)) !== 1) return;
    submit(t, port, { userData: 2, opcode: OP_TIMEOUT, timeoutNs: 10 * MS });
    await sys.io_wait(port, cqe, 1, 1, 0);
    // swallow the bounces latched during the 10 ms
    submit(t, port, { userData: 3, opcode: OP_IRQ_WAIT, fd: irq });
    const n = await sys.io_wait(port, cqe, 1, 0, 0);
    if (n === 0) {
      // no bounce: take the arm back (its -ECANCELED completion)
      sys.io_cancel(port, 3n);
      await sys.io_wait(port, cqe, 1, 1, 0);
    } else {
      expect(readI64(t.view, cqe + 8)).toBeGreaterThan(0);
    }
    if (sys.gpio_read(button) === 1) {
      on ^= 1;
      sys.gpio_write(led, on);
      presses.n++;
    }
  }
}

describe("scenario: debounced button", () => {
  it("toggles the LED once per press however much the contact bounces", async () => {
    const sim = new Simulator({ seed: 11 });
    const presses = { n: 0 };
    void debounceTask(sim, presses);
    const button = sim.gpio(sim.board.button as number);
    const led = sim.gpio(sim.board.led as number);
    let at = 5 * MS;
    for (let press = 0; press < 3; press++) {
      // press: 1-6 bounces within 2 ms, settles at 1; release the same way, settles at 0
      for (const settle of [1, 0]) {
        const bounces = sim.rng.int(1, 6);
        for (let i = 0; i < bounces * 2; i++) {
          const lvl = i % 2 === 0 ? settle : settle ^ 1;
          sim.at(at + i * 150_000, () => button.drive(lvl));
        }
        sim.at(at + bounces * 2 * 150_000, () => button.drive(settle));
        at += 50 * MS;
      }
    }
    const seen: number[] = [];
    for (let i = 0; i < 6; i++) {
      await sim.advance(50 * MS);
      seen.push(led.level);
    }
    expect(presses.n).toBe(3);
    expect(seen).toEqual([1, 1, 0, 0, 1, 1]);
  });
});
