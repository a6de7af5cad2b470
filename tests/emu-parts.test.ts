/**
 * The parts of `ioport emu` that need no firmware: UF2 parsing, bootrom
 * files, console lines, pairing the probe's samples with the emulator's
 * edges, symbol lookup, scenario checks, and the command's usage errors.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ioplLine } from "../firmware/irq-latency/probe.js";
import { parseHil } from "../tools/hil/format.js";
import { BOOTROM_BYTES, BootromError, readBootrom } from "../tools/emu/bootrom.js";
import { consoleLines, groundTruthLines, type ConsoleLine } from "../tools/emu/console.js";
import { groupOf, symbolAt } from "../tools/emu/profile.js";
import { stimulusEnd, validateEmuScenario } from "../tools/emu/scenario.js";
import { loadUf2, parseUf2, Uf2Error } from "../tools/emu/uf2.js";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../tools/bin/ioport.js", import.meta.url));
function runCli(args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function uf2Block(address: number, payload: number[], flags = 0x2000): Uint8Array {
  const b = new Uint8Array(512);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0x0a324655, true);
  v.setUint32(4, 0x9e5d5157, true);
  v.setUint32(8, flags, true);
  v.setUint32(12, address, true);
  v.setUint32(16, payload.length, true);
  b.set(payload, 32);
  v.setUint32(508, 0x0ab16f30, true);
  return b;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const tmp = (): string => mkdtempSync(join(tmpdir(), "ioport-emu-test-"));

describe("UF2 images", () => {
  it("places each block's payload at its flash address and skips blocks not for main flash", () => {
    const img = concat(uf2Block(0x10000000, [1, 2, 3]), uf2Block(0x10000100, [9]), uf2Block(0x10000000, [7, 7], 0x1));
    const blocks = parseUf2(img);
    expect(blocks.map((b) => b.address)).toEqual([0x10000000, 0x10000100]);
    const flash = new Uint8Array(0x200);
    loadUf2(blocks, flash, 0x10000000);
    expect([...flash.subarray(0, 4)]).toEqual([1, 2, 3, 0]);
    expect(flash[0x100]).toBe(9);
  });

  it("refuses a file that is not UF2, a damaged block and a block outside the flash", () => {
    expect(() => parseUf2(new Uint8Array(100))).toThrow(/not a multiple of 512/);
    const bad = uf2Block(0x10000000, [1]);
    bad[0] = 0;
    expect(() => parseUf2(concat(uf2Block(0x10000000, [1]), bad))).toThrow(/block 1 has wrong magic/);
    const big = uf2Block(0x10000000, []);
    new DataView(big.buffer).setUint32(16, 477, true);
    expect(() => parseUf2(big)).toThrow(Uf2Error);
    expect(() => loadUf2(parseUf2(uf2Block(0x20000000, [1])), new Uint8Array(16), 0x10000000)).toThrow(/outside the flash/);
  });
});

describe("bootrom files", () => {
  it("reads a 16 KB image and the same words from a source file's hex literal", () => {
    const d = tmp();
    const words = Array.from({ length: BOOTROM_BYTES / 4 }, (_, i) => (i * 2654435761) >>> 0);
    const bin = Buffer.alloc(BOOTROM_BYTES);
    words.forEach((w, i) => bin.writeUInt32LE(w, i * 4));
    writeFileSync(join(d, "b.bin"), bin);
    writeFileSync(join(d, "b.ts"), `export const bootromB1 = new Uint32Array([\n${words.map((w) => `0x${w.toString(16)}`).join(", ")}\n]);\n`);
    expect([...readBootrom(join(d, "b.bin"))]).toEqual(words);
    expect([...readBootrom(join(d, "b.ts"))]).toEqual(words);
  });

  it("names the problem: a missing file, a wrong size, a source without 4096 words", () => {
    const d = tmp();
    writeFileSync(join(d, "short.bin"), Buffer.alloc(100));
    writeFileSync(join(d, "short.ts"), "new Uint32Array([0x1, 0x2])");
    expect(() => readBootrom(join(d, "none.bin"))).toThrow(/cannot read the bootrom .*ENOENT/);
    expect(() => readBootrom(join(d, "short.bin"))).toThrow(/16384 bytes, this file has 100/);
    expect(() => readBootrom(join(d, "short.ts"))).toThrow(BootromError);
  });
});

describe("console lines", () => {
  it("stamps each line with its first byte's and its newline's emulated time; CR is dropped", () => {
    const lines: ConsoleLine[] = [];
    const feed = consoleLines((l) => lines.push(l));
    const text = "ab\r\n\ncd\n";
    [...text].forEach((c, i) => feed({ ns: 1000 * (i + 1), byte: c.charCodeAt(0) }));
    expect(lines).toEqual([
      { ns: 1000, endNs: 4000, text: "ab" },
      { ns: 5000, endNs: 5000, text: "" },
      { ns: 6000, endNs: 8000, text: "cd" },
    ]);
  });
});

describe("ground truth for the probe's samples", () => {
  const rec = (body: string): string => ioplLine(body);
  const lines = [
    "boot noise",
    rec("IOPL1 H board=pico n=2 modes=a clock=ioport/clock seed=1 settle_us=2000 jitter_us=3000"),
    rec("IOPL1 S a 0 100 5000"),
    rec("IOPL1 X a 1 timeout"),
    rec("IOPL1 E samples=1 a=1 lost=1 stray=0 sum=100"),
  ];

  it("adds a G line per sample: the k-th edge is the k-th sample's, user code time less the edge", () => {
    const g = groundTruthLines(lines, [
      { ns: 5_012_000, level: 1 },
      { ns: 9_000_000, level: 0 },
    ]);
    expect(g.problems).toEqual([]);
    expect(g.lines).toContain(rec("IOPL1 G a 0 5012000 88000"));
    const run = parseHil(g.lines.join("\n"));
    expect(run.ground.a).toEqual([88]);
    expect(run.samples.a).toEqual([100]);
    expect(run.problems.filter((p) => p.kind === "malformed")).toEqual([]);
  });

  it("writes no G line where an edge breaks causality, and says when the edge counts differ", () => {
    const early = groundTruthLines(lines, [
      { ns: 4_000_000, level: 1 },
      { ns: 9_000_000, level: 0 },
    ]);
    expect(early.lines.some((l) => l.startsWith("IOPL1 G"))).toBe(false);
    expect(early.problems[0]).toMatch(/not just after the probe's clock reading/);
    const extra = groundTruthLines(lines, [
      { ns: 5_012_000, level: 1 },
      { ns: 9_000_000, level: 0 },
      { ns: 9_500_000, level: 1 },
    ]);
    expect(extra.problems).toEqual(["the probe reported 2 edges and the emulator saw 3 on the loopback output"]);
  });

  it("ioport hil refuses a G line for a sample it has not read", () => {
    const run = parseHil([lines[1], rec("IOPL1 G a 0 5012000 88000")].join("\n"));
    expect(run.ground.a).toEqual([]);
    expect(run.problems.some((p) => /not read before it/.test(p.message))).toBe(true);
  });
});

describe("PC profile symbols", () => {
  const syms = [
    { addr: 0x100, size: 0x10, name: "fxRunID" },
    { addr: 0x200, size: 0, name: "memcpy" },
    { addr: 0x300, size: 0x8, name: "tud_task" },
  ];
  it("finds the symbol holding a PC, and none past a sized symbol's end", () => {
    expect(symbolAt(syms, 0x108)?.name).toBe("fxRunID");
    expect(symbolAt(syms, 0x110)).toBeNull();
    expect(symbolAt(syms, 0x2ff)?.name).toBe("memcpy");
    expect(symbolAt(syms, 0x50)).toBeNull();
  });
  it("groups by name", () => {
    expect(groupOf("fxRunID")).toBe("XS bytecode dispatch");
    expect(groupOf("fxOrdinaryGetProperty")).toBe("XS property access");
    expect(groupOf("__wrap_memcpy")).toBe("memcpy/memset");
    expect(groupOf("__aeabi_dadd")).toBe("soft-float");
    expect(groupOf("tud_task")).toBe("USB (TinyUSB)");
    expect(groupOf("gpio_set_irq_enabled")).toBe("Pico SDK / runtime");
    expect(groupOf("main")).toBe("other");
  });
});

describe("emu scenarios", () => {
  it("takes gpio and paced uart stimulus, and refuses what only the simulator has", () => {
    const sc = validateEmuScenario({
      duration: "50ms",
      stimulus: [
        { uart: 0, at: "1ms", send: "help\r", pace: "10ms" },
        { gpio: 14, edges: [{ at: "2ms", level: 0 }, { at: "3ms", level: 1 }] },
      ],
    });
    expect(sc.duration).toBe(50e6);
    expect(stimulusEnd(sc, () => 86_806)).toBe(1e6 + 4 * 10e6); // the fifth byte starts then
    expect(() => validateEmuScenario({ tasks: [] })).toThrow(/tasks: not for ioport emu/);
    expect(() => validateEmuScenario({ stimulus: [{ uart: 0, framingError: [1] }] })).toThrow(/framing errors/);
    expect(() => validateEmuScenario({ stimulus: [{ uart: 0, send: "x", pace: "fast" }] })).toThrow(/stimulus\[0\]\.pace/);
  });
});

describe("ioport emu usage", () => {
  it("refuses a run without a bootrom, naming where to get one (exit 2)", () => {
    const r = runCli(["emu", "x.uf2"], { IOPORT_BOOTROM: "" });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no bootrom: give --bootrom FILE or set IOPORT_BOOTROM .*docs\/chip\.md/);
  });
  it("refuses an unreadable image, a non-RP2040 board and --console usb without --usb (exit 2)", () => {
    const d = tmp();
    const rom = join(d, "rom.bin");
    writeFileSync(rom, Buffer.alloc(BOOTROM_BYTES));
    expect((runCli(["emu", join(d, "none.uf2"), "--bootrom", rom])).stderr).toMatch(/cannot read the image .*ENOENT/);
    const esp = runCli(["emu", "x.uf2", "--bootrom", rom, "--board", "esp32-devkitc"]);
    expect([esp.code, esp.stderr]).toEqual([2, expect.stringMatching(/not an RP2040 board/)]);
    const usb = runCli(["emu", "x.uf2", "--bootrom", rom, "--console", "usb"]);
    expect([usb.code, usb.stderr]).toEqual([2, expect.stringMatching(/--console usb needs --usb/)]);
  });
});
