/**
 * EmulatedPico (tools/emu/pico.ts) on the real rp2040js, without the Moddable
 * SDK: a 16 KB "bootrom" of our own whose reset handler is a few hand-encoded
 * Thumb instructions. It makes GP16 a SIO output, toggles it 4 times with a
 * busy loop between, and sleeps (WFI). This checks the parts of the runner
 * that firmware tests build on: booting from the image given, the jumper
 * from the board file, edges timestamped on the emulator's clock, sleeping
 * time skipped, and stimulus at an emulated time.
 */
import { describe, expect, it } from "vitest";
import { loadBoard } from "../host-sim/boards.js";
import { EmulatedPico } from "../tools/emu/pico.js";

/** The program, at 0x08 (after the vector table); literal pool at 0x28. */
const THUMB = [
  0x4807, // 08 ldr r0, [pc, #28]   r0 = IO_BANK0 GPIO16_CTRL
  0x2105, // 0a movs r1, #5         FUNCSEL 5 = SIO
  0x6001, // 0c str r1, [r0]
  0x4807, // 0e ldr r0, [pc, #28]   r0 = SIO base
  0x4907, // 10 ldr r1, [pc, #28]   r1 = 1 << 16
  0x6241, // 12 str r1, [r0, #0x24] GPIO_OE_SET
  0x2204, // 14 movs r2, #4         4 edges
  0x61c1, // 16 str r1, [r0, #0x1c] GPIO_OUT_XOR: an edge
  0x2364, // 18 movs r3, #100
  0x3b01, // 1a subs r3, #1
  0xd1fd, // 1c bne 1a
  0x3a01, // 1e subs r2, #1
  0xd1f9, // 20 bne 16
  0xbf30, // 22 wfi
  0xe7fd, // 24 b 22
  0xbf00, // 26 nop
];
const POOL = [0x40014084, 0xd0000000, 0x00010000];

function rom(): Uint32Array {
  const words = new Uint32Array(4096);
  words[0] = 0x20041000; // initial SP
  words[1] = 0x00000009; // reset handler at 0x08, Thumb
  for (let i = 0; i < THUMB.length; i += 2) words[2 + i / 2] = (THUMB[i] as number) | ((THUMB[i + 1] as number) << 16);
  POOL.forEach((w, i) => (words[10 + i] = w));
  return words;
}

describe("EmulatedPico", () => {
  it("boots the given ROM, carries GP16 to GP17 over the board's jumper and timestamps every edge", () => {
    const pico = new EmulatedPico({ bootrom: rom(), image: [], board: loadBoard("pico") });
    const reason = pico.run(1_000_000);
    expect(reason).toBe("time");
    const edges = pico.loopbackEdges;
    expect(edges.map((e) => e.level)).toEqual([1, 0, 1, 0]);
    const gaps = edges.slice(1).map((e, i) => e.ns - (edges[i] as { ns: number }).ns);
    // the same busy loop between edges: equal gaps, 100 iterations of a few 8 ns cycles each
    expect(new Set(gaps).size).toBe(1);
    expect(gaps[0]).toBeGreaterThan(100 * 2 * 8);
    expect(gaps[0]).toBeLessThan(100 * 5 * 8);
    expect(pico.mcu.gpio[17]?.inputValue).toBe(false);
    expect(pico.mcu.core.waiting).toBe(true);
    expect(pico.now).toBe(1_000_000);
  });

  it("skips the time the core sleeps, and runs stimulus at its emulated time", () => {
    const pico = new EmulatedPico({ bootrom: rom(), image: [], board: loadBoard("pico") });
    let seen = -1;
    pico.at(250_000_000, () => {
      seen = pico.now;
      pico.drive(14, 0);
    });
    const core = pico.mcu.core;
    const execute = core.executeInstruction.bind(core);
    let executed = 0;
    core.executeInstruction = () => {
      executed++;
      return execute();
    };
    pico.run(10_000_000_000); // 10 s emulated, asleep nearly all of it
    expect(executed).toBeLessThan(2000); // the program's few hundred instructions: none while asleep
    expect(seen).toBe(250_000_000);
    expect(pico.mcu.gpio[14]?.inputValue).toBe(false);
  });

  it("stop() ends a run from a callback", () => {
    const pico = new EmulatedPico({ bootrom: rom(), image: [], board: loadBoard("pico") });
    pico.at(5_000, () => pico.stop());
    expect(pico.run(1e9)).toBe("stopped");
    expect(pico.now).toBeLessThan(6_000);
  });
});
