/** Random programs for the lane's differential test (tests/lane-xs.test.ts; run by tests/lane/program.ts). */
import fc from "fast-check";
import { IRQ_FALLING, IRQ_RISING } from "../../core/index.js";
import type { Act, LaneProgram, Reaction, Stim } from "./program.js";

const idx = fc.nat(7);
const skew = fc.constantFrom(0, 0, 1, 2);
const buf = fc.constantFrom("none" as const, "aligned" as const, "aligned" as const, "odd" as const);
const arm = fc.record({ k: fc.constant("arm" as const), line: idx, port: idx, multi: fc.boolean(), buf });
const wait = fc.record({
  k: fc.constant("wait" as const),
  port: idx,
  max: fc.integer({ min: 1, max: 4 }),
  min: fc.constantFrom(1, 1, 1, 2),
  timeout: fc.constantFrom(0, 0, 0, 150, 900),
  skew,
});
const waitP = fc.record({ k: fc.constant("waitP" as const), port: idx, max: fc.integer({ min: 1, max: 4 }), min: fc.constantFrom(1, 1, 2), skew });
const watch = fc.record({ k: fc.constant("watch" as const), port: idx, max: fc.integer({ min: 1, max: 4 }), skew });
const act: fc.Arbitrary<Act> = fc.oneof(
  { arbitrary: arm, weight: 6 },
  { arbitrary: wait, weight: 4 },
  { arbitrary: waitP, weight: 3 },
  { arbitrary: watch, weight: 3 },
  { arbitrary: fc.record({ k: fc.constant("unwatch" as const), port: idx }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant("nop" as const), port: idx, count: fc.integer({ min: 1, max: 3 }) }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant("cancel" as const), port: idx, ud: fc.integer({ min: 1, max: 8 }) }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant("closeLine" as const), line: idx }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant("closePort" as const), port: idx }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant("edge" as const), pin: idx }), weight: 1 },
);
/** A driver loop's start: an arm and its waiter on the same port (the lane's case). */
const loop: fc.Arbitrary<Act[]> = fc
  .record({ line: idx, port: idx, multi: fc.boolean(), buf, how: fc.constantFrom("watch", "wait", "waitP"), max: fc.integer({ min: 1, max: 3 }), s: skew })
  .map(({ line, port, multi, buf: b, how, max, s }) => [
    { k: "arm", line, port, multi, buf: b },
    how === "watch" ? { k: "watch", port, max, skew: s } : how === "wait" ? { k: "wait", port, max, min: 1, timeout: 0, skew: s } : { k: "waitP", port, max, min: 1, skew: s },
  ]);
const reaction: fc.Arbitrary<Reaction> = fc.record({
  again: fc.nat(5).map((x) => x !== 0),
  acts: fc.array(act, { maxLength: 2 }),
  throws: fc.nat(4).map((x) => x === 0),
});
const stim: fc.Arbitrary<Stim> = fc.oneof(
  // most edges are followed by the main loop's delivery (a pump); some wait and batch up
  { arbitrary: fc.record({ k: fc.constant("edge" as const), pin: idx, n: fc.integer({ min: 1, max: 3 }), pump: fc.nat(3).map((x) => x !== 0) }), weight: 6 },
  { arbitrary: fc.constant({ k: "pump" as const }), weight: 5 },
  { arbitrary: fc.record({ k: fc.constant("advance" as const), us: fc.integer({ min: 0, max: 2500 }) }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant("sys" as const), act }), weight: 2 },
);
export const program: fc.Arbitrary<LaneProgram> = fc.record({
  cq: fc.constantFrom(2, 2, 3, 4, 64),
  ports: fc.integer({ min: 1, max: 2 }),
  pins: fc.uniqueArray(fc.record({ pin: fc.constantFrom(3, 5, 9), flags: fc.constantFrom(IRQ_RISING | IRQ_FALLING, IRQ_RISING | IRQ_FALLING, IRQ_RISING) }), {
    minLength: 1,
    maxLength: 2,
    selector: (l) => l.pin,
  }),
  timerUs: fc.constantFrom(0, 0, 700, 1900),
  // the timer line on a hardware alarm (ISR latencies in µs, cycled), or on the kernel's timers
  alarmLateUs: fc.constantFrom([], [], [0], [0, 3, 700], [1, 2500, 0, 0]),
  init: fc.tuple(loop, fc.array(act, { maxLength: 4 })).map(([l, rest]) => [...l, ...rest]),
  reactions: fc.array(reaction, { minLength: 1, maxLength: 6 }),
  stim: fc.array(stim, { minLength: 1, maxLength: 50 }),
});

