/**
 * The demo firmware (firmware/main) built with the real mcconfig and run on
 * the emulated RP2040, with the USB host attached and without it: the
 * behaviours the simulator promises (tests/firmware-app.test.ts), checked on
 * the chip. Times are the emulator's.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { computeStats } from "../../tools/hil/stats.js";
import { boot, buildImage, ConsoleDriver } from "./chip-env.js";
import type { EmulatedPico } from "../../tools/emu/pico.js";

const MS = 1_000_000;
let image = "";

beforeAll(() => {
  image = buildImage([]);
}, 900_000);

/** For each typed byte, the time from its arrival to its echo (the same byte, in order, on the console). */
function echoLatencies(sh: ConsoleDriver, typed: string, fedAt: number[]): number[] {
  const out: number[] = [];
  let j = sh.bytes.findIndex((b) => b.ns >= (fedAt[0] as number));
  for (let k = 0; k < typed.length; k++) {
    const c = typed.charCodeAt(k);
    if (c < 0x20) continue; // CR: answered with the output, not echoed as itself
    while (j < sh.bytes.length && !((sh.bytes[j] as { byte: number }).byte === c && (sh.bytes[j] as { ns: number }).ns >= (fedAt[k] as number))) j++;
    if (j >= sh.bytes.length) throw new Error(`no echo of ${JSON.stringify(typed[k])} (byte ${k} of ${JSON.stringify(typed)})`);
    out.push((sh.bytes[j] as { ns: number }).ns - (fedAt[k] as number));
    j++;
  }
  return out;
}

for (const usb of [false, true]) {
  describe(`the demo firmware on the emulated Pico, USB host ${usb ? "attached" : "not attached"}`, () => {
    let pico: EmulatedPico;
    let sh: ConsoleDriver;
    let greeting = "";
    let greetedAt = 0;

    /** Types a command at line rate; returns the output up to the next prompt, and each typed byte's echo latency. */
    const run = (line: string, limitNs = 500 * MS): { out: string; echo: number[] } => {
      sh.mark();
      const fed = sh.type(`${line}\r`);
      const out = sh.waitFor(/\r\nioport> $/, limitNs);
      return { out, echo: echoLatencies(sh, `${line}\r`, fed) };
    };
    const command = (line: string, limitNs?: number): string => run(line, limitNs).out;

    beforeAll(() => {
      pico = boot(image, usb);
      sh = new ConsoleDriver(pico, "uart0");
      greeting = sh.waitFor(/ioport demo 1 on pico - type help\r\nioport> $/, 3000 * MS);
      greetedAt = (sh.bytes[0] as { ns: number }).ns;
    }, 300_000);

    it("greets on UART0", () => {
      expect(greeting).toMatch(/^\r\nioport demo 1 on pico - type help\r\nioport> $/);
    });

    it("answers help, status, uptime, irq and ping", () => {
      expect(command("help")).toMatch(/commands:[\s\S]*loop +drive the loopback jumper[\s\S]*ping +ask the worker/);
      expect(command("status")).toMatch(/board pico: led off, button presses 0, heartbeat \d+, loopback edges 0, commands \d+, ipc ok, pings 0\/0/);
      const up = Number(/up (\d+\.\d+) s/.exec(command("uptime"))?.[1]);
      // the firmware's clock is the emulator's: uptime runs from the app's start, before its greeting
      expect(up).toBeLessThanOrEqual(pico.now / 1e9);
      expect(up).toBeGreaterThanOrEqual((pico.now - greetedAt) / 1e9 - 0.001);
      expect(command("irq")).toMatch(/button +pin 14: 0 edges, 0 presses[\s\S]*heartbeat timer 0x100: \d+ ticks[\s\S]*loopback pin 17: 0 edges/);
      expect(command("ping", 1000 * MS)).toMatch(/pong #1 from worker \(served 1; it answered on its fd \d+, passed from our fd \d+\)/);
    }, 600_000);

    it("counts 3 button presses as 3", () => {
      const before = Number(/button presses (\d+)/.exec(command("status"))?.[1]);
      for (let k = 0; k < 3; k++) {
        pico.at(pico.now + 10 * MS + k * 300 * MS, () => pico.drive(14, 0));
        pico.at(pico.now + 110 * MS + k * 300 * MS, () => pico.drive(14, 1));
      }
      pico.run(pico.now + 1000 * MS);
      expect(Number(/button presses (\d+)/.exec(command("status"))?.[1]) - before).toBe(3);
    }, 600_000);

    it("loop: the jumper carries every edge the firmware drives", () => {
      const edges = pico.loopbackEdges.length;
      const out = command("loop", 1000 * MS);
      expect(out).toMatch(/loopback: drove 4 edges, counted 4 - jumper OK/);
      expect(pico.loopbackEdges.length - edges).toBe(4);
    }, 600_000);

    it("echoes lines typed at line rate within 5 ms of each byte's arrival (p99)", () => {
      const echo = ["help", "status", "uptime", "led", "irq"].flatMap((line) => run(line).echo);
      const st = computeStats(echo)!;
      console.log(
        `USB host ${usb ? "attached" : "not attached"}: echo latency over ${echo.length} bytes typed at line rate: ` +
          `p50 ${(st.p50 / 1e6).toFixed(2)} ms, p99 ${(st.p99 / 1e6).toFixed(2)} ms, max ${(st.max / 1e6).toFixed(2)} ms`,
      );
      expect(echo.length).toBe(4 + 6 + 6 + 3 + 3);
      expect(st.p99).toBeLessThanOrEqual(5 * MS);
    }, 600_000);

    it("echoes every key of a 41-key line typed at line rate, in order (latencies printed, not asserted)", () => {
      const line = "this is a much longer line of forty chars";
      const { out, echo } = run(line);
      expect(out).toContain(`unknown command: this (try help)`);
      expect(echo.length).toBe(line.length);
      const st = computeStats(echo)!;
      console.log(
        `USB host ${usb ? "attached" : "not attached"}: echo latency over a ${line.length}-key line typed at line rate: ` +
          `first key ${((echo[0] as number) / 1e6).toFixed(2)} ms, p50 ${(st.p50 / 1e6).toFixed(2)} ms, max ${(st.max / 1e6).toFixed(2)} ms`,
      );
    }, 600_000);
  });
}
