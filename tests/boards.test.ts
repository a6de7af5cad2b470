import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { IRQ_RISING, encodeSubmission, OP_IRQ_WAIT, decodeCompletion } from "../core/index.js";
import { Simulator, boardNames, checkBoard, loadBoard, validateJsonSchema, type JsonSchema } from "../host-sim/index.js";
import { parseHil } from "../tools/hil/format.js";
import { computeStats } from "../tools/hil/stats.js";

const schema = JSON.parse(readFileSync(new URL("../boards/board.schema.json", import.meta.url), "utf8")) as JsonSchema;
const files = readdirSync(new URL("../boards/", import.meta.url)).filter((f) => f.endsWith(".json") && f !== "board.schema.json");

describe("board files", () => {
  it("every file in boards/ is known to the simulator, under its own name", () => {
    expect(files.map((f) => f.replace(/\.json$/, "")).sort()).toEqual(boardNames().sort());
    expect(boardNames()).toEqual(expect.arrayContaining(["sim-devkit", "pico", "esp32-devkitc", "esp32-s3-devkitc"]));
  });

  it.each(files)("%s is valid against board.schema.json and the cross-field checks", (f) => {
    const board = JSON.parse(readFileSync(new URL(`../boards/${f}`, import.meta.url), "utf8")) as unknown;
    expect(validateJsonSchema(schema, board)).toEqual([]);
    expect(checkBoard(board)).toEqual([]);
  });

  it("the Moddable targets are the ones mcconfig knows", () => {
    expect(loadBoard("pico").moddable).toEqual({ platform: "pico", io: true });
    expect(loadBoard("esp32-devkitc").moddable).toEqual({ platform: "esp32", io: true });
    expect(loadBoard("esp32-s3-devkitc").moddable).toEqual({ platform: "esp32/esp32s3", io: true });
    expect(loadBoard("sim-devkit").moddable.io).toBe(false);
  });

  it("pico: LED GP25, UART0 on GP0/GP1, loopback GP16->GP17", () => {
    const b = loadBoard("pico");
    expect(b.led).toBe(25);
    expect(b.uart[0]).toMatchObject({ path: "/dev/uart0", port: 0, tx: 0, rx: 1, baud: 115200 });
    expect(b.loopback).toEqual({ out: 16, in: 17 });
  });

  it("pico: the latency model is the emulator recording's (fixture emu-uart0-lane.txt, the emulator's clock)", () => {
    const b = loadBoard("pico");
    const run = parseHil(readFileSync(new URL("./fixtures/hil/emu-uart0-lane.txt", import.meta.url), "utf8"));
    const p50: Record<string, number> = {};
    for (const m of ["a", "b", "c", "d"] as const) p50[m] = computeStats([...run.ground[m]])!.p50 * 1000;
    const a = [...run.ground.a].sort((x, y) => x - y);
    const lat = b.irqLatencyNs as { min: number; max: number };
    expect(lat.min).toBeCloseTo((a[0] as number) * 1000, -1);
    expect(lat.max).toBeCloseTo(computeStats(a)!.p99 * 1000, -1);
    const cost = b.irqCostNs!;
    expect(cost.dispatch).toBeCloseTo((p50.b as number) - (p50.a as number), -1);
    expect(cost.promiseHop).toBeCloseTo((p50.c as number) - (p50.b as number), -1);
    expect(cost.dispatchMultishot).toBeCloseTo((p50.d as number) - (p50.a as number), -1);
  });
});

describe("the schema validator rejects what it should", () => {
  const good = () => JSON.parse(JSON.stringify(loadBoard("pico"))) as Record<string, unknown>;

  it("a missing required field, a wrong type, an unknown property, a bad enum and a bad pattern", () => {
    const b1 = good();
    delete b1.timers;
    expect(checkBoard(b1)).toContain('(root): missing "timers"');
    const b2 = good();
    b2.timers = "4";
    expect(checkBoard(b2)).toEqual(["timers: expected integer, got string"]);
    const b3 = good();
    b3.colour = "red";
    expect(checkBoard(b3)).toEqual(['(root): unknown property "colour"']);
    const b4 = good();
    (b4.buttonWiring as Record<string, unknown>).pull = "sideways";
    expect(checkBoard(b4)[0]).toMatch(/^buttonWiring\.pull: must be one of/);
    const b5 = good();
    (b5.uart as Record<string, unknown>[])[0]!.path = "/dev/tty0";
    expect(checkBoard(b5)[0]).toMatch(/^uart\[0\]\.path: "\/dev\/tty0" does not match/);
  });

  it("cross-field checks: pins beyond the bank, a loopback onto itself, hardware UART without pins", () => {
    const b1 = good();
    b1.led = 40;
    expect(checkBoard(b1)).toEqual(["led: pin 40 is not below gpio.pins (30)"]);
    const b2 = good();
    b2.loopback = { out: 3, in: 3 };
    expect(checkBoard(b2)).toEqual(["loopback: out and in must be different pins"]);
    const b3 = good();
    delete (b3.uart as Record<string, unknown>[])[0]!.tx;
    expect(checkBoard(b3)).toEqual(["uart[0]: a board with ECMA-419 IO needs port, tx and rx"]);
  });

  it("an unsupported schema keyword is an error, not silently ignored", () => {
    expect(() => validateJsonSchema({ type: "object", oneOf: [] }, {})).toThrow(/unsupported keyword "oneOf"/);
  });
});

describe("simulating a real board by name", () => {
  it("new Simulator({ board: 'pico' }) has the Pico's devices and its modelled interrupt latency", async () => {
    const sim = new Simulator({ board: "pico", seed: 3 });
    const t = sim.spawn();
    expect(t.sys.open("/dev/uart0")).toBeGreaterThanOrEqual(0);
    expect(t.sys.open("/dev/uart1")).toBe(-2); // ENOENT: the Pico board file lists one UART
    expect(t.sys.irq_create(29, IRQ_RISING)).toBeGreaterThanOrEqual(0);
    expect(t.sys.irq_create(30, IRQ_RISING)).toBe(-19); // ENODEV: GP0-GP29 only
    const port = t.sys.io_create(0);
    const irq = t.sys.irq_create(17, IRQ_RISING);
    const sqe = t.alloc(48), cqe = t.alloc(24);
    encodeSubmission(t.view, sqe, { userData: 1, opcode: OP_IRQ_WAIT, fd: irq });
    t.sys.io_submit(port, sqe, 1);
    // the firmware drives the loopback output; the jumper carries it to GP17
    t.sys.gpio_write(16, 1);
    const edgeAt = sim.now;
    let reapedAt = -1;
    expect(t.sys.io_wait_cb(port, cqe, 1, 1, 0, () => (reapedAt = sim.now))).toBe(-115);
    await sim.advance(100_000);
    expect(decodeCompletion(t.view, cqe).result).toBe(1);
    const lat = sim.board.irqLatencyNs!;
    expect(reapedAt - edgeAt).toBeGreaterThanOrEqual(lat.min);
    expect(reapedAt - edgeAt).toBeLessThanOrEqual(lat.max);
  });

  it("an unknown board name lists the known ones", () => {
    expect(() => new Simulator({ board: "nope" })).toThrow(/known boards: sim-devkit, pico, esp32-devkitc, esp32-s3-devkitc/);
  });
});
