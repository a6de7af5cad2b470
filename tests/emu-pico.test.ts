/**
 * EmulatedPico (tools/emu/pico.ts) on the real rp2040js, without the Moddable
 * SDK: an image of our own at the start of flash (where a real image has its
 * boot stage 2), a few hand-encoded Thumb instructions. It makes GP16 a SIO
 * output, toggles it 4 times with a busy loop between, and sleeps (WFI); the
 * "bootrom" holds only the initial stack pointer. This checks the parts of the runner
 * that firmware tests build on: booting from the image given, the jumper
 * from the board file, edges timestamped on the emulator's clock, sleeping
 * time skipped, and stimulus at an emulated time.
 */
import { describe, expect, it } from "vitest";
import { loadBoard } from "../host-sim/boards.js";
import { EmulatedPico } from "../tools/emu/pico.js";
import type { Uf2Block } from "../tools/emu/uf2.js";

/** The program, at 0x10000000; literal pool right after it (+0x20). */
const THUMB = [
  0x4807, // 00 ldr r0, [pc, #28]   r0 = IO_BANK0 GPIO16_CTRL
  0x2105, // 02 movs r1, #5         FUNCSEL 5 = SIO
  0x6001, // 04 str r1, [r0]
  0x4807, // 06 ldr r0, [pc, #28]   r0 = SIO base
  0x4907, // 08 ldr r1, [pc, #28]   r1 = 1 << 16
  0x6241, // 0a str r1, [r0, #0x24] GPIO_OE_SET
  0x2204, // 0c movs r2, #4         4 edges
  0x61c1, // 0e str r1, [r0, #0x1c] GPIO_OUT_XOR: an edge
  0x2364, // 10 movs r3, #100
  0x3b01, // 12 subs r3, #1
  0xd1fd, // 14 bne 12
  0x3a01, // 16 subs r2, #1
  0xd1f9, // 18 bne 0e
  0xbf30, // 1a wfi
  0xe7fd, // 1c b 1a
  0xbf00, // 1e nop
];
const POOL = [0x40014084, 0xd0000000, 0x00010000];

/** A bootrom with only the initial stack pointer (the core starts at the image). */
function rom(): Uint32Array {
  const words = new Uint32Array(4096);
  words[0] = 0x20041000;
  return words;
}

function image(): Uf2Block[] {
  const data = new Uint8Array(0x20 + 4 * POOL.length);
  const v = new DataView(data.buffer);
  THUMB.forEach((h, i) => v.setUint16(2 * i, h, true));
  POOL.forEach((w, i) => v.setUint32(0x20 + 4 * i, w, true));
  return [{ address: 0x10000000, data }];
}

describe("EmulatedPico", () => {
  it("starts the image at the start of flash, carries GP16 to GP17 over the board's jumper and timestamps every edge", () => {
    const pico = new EmulatedPico({ bootrom: rom(), image: image(), board: loadBoard("pico") });
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
    const pico = new EmulatedPico({ bootrom: rom(), image: image(), board: loadBoard("pico") });
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
    pico.run(10_000_000_000); // 08 s emulated, asleep nearly all of it
    expect(executed).toBeLessThan(2000); // the program's few hundred instructions: none while asleep
    expect(seen).toBe(250_000_000);
    expect(pico.mcu.gpio[14]?.inputValue).toBe(false);
  });

  it("stop() ends a run from a callback", () => {
    const pico = new EmulatedPico({ bootrom: rom(), image: image(), board: loadBoard("pico") });
    pico.at(5_000, () => pico.stop());
    expect(pico.run(1e9)).toBe("stopped");
    expect(pico.now).toBeLessThan(6_000);
  });
  it("the USB CDC host sends no OUT packet until it has bytes (a device's armed OUT buffer waits), then sends them", () => {
    const pico = new EmulatedPico({ bootrom: rom(), image: image(), board: loadBoard("pico"), usb: true });
    const ctrl = pico.mcu.usbCtrl as unknown as { onEndpointRead?: (ep: number, size: number) => void; buffStatus: number };
    (pico.cdc as unknown as { outEndpoint: number }).outEndpoint = 2; // as after enumeration: the CDC data OUT endpoint
    const outReady = (): boolean => (ctrl.buffStatus & (1 << (2 * 2 + 1))) !== 0;
    const EP2_OUT_BUFFER_CONTROL = 0x80 + 2 * 8 + 4;
    pico.mcu.usbDPRAMView.setUint32(EP2_OUT_BUFFER_CONTROL, 64, true);
    ctrl.onEndpointRead?.(2, 64); // the device arms EP2 OUT for 64 bytes
    pico.run(pico.now + 1_000_000);
    expect(outReady()).toBe(false); // rp2040js's host would have answered a zero-length packet after 10 µs
    pico.typeUsb([0x6f, 0x6b]);
    pico.run(pico.now + 100_000);
    expect(outReady()).toBe(true);
    expect(pico.mcu.usbDPRAMView.getUint32(EP2_OUT_BUFFER_CONTROL, true) & 0x3ff).toBe(2);
    expect(() => new EmulatedPico({ bootrom: rom(), image: image(), board: loadBoard("pico") }).typeUsb([1])).toThrow(/no USB host/);
  });
});
