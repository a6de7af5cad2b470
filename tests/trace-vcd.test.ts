// VCD waveforms of GPIO pins and UART lines: read back with a tiny VCD
// reader, the header, the timescale, the declarations and the value changes
// match a known stimulus, and the UART bits decode back into the bytes.
import { describe, expect, it } from "vitest";
import { OP_WRITE, writeSubmission } from "../core/index.js";
import { Simulator, VcdRecorder } from "../host-sim/index.js";
import { byteNs } from "./dev-helpers.js";

interface Vcd {
  timescale: string;
  vars: Map<string, string>; // name -> code
  initial: Map<string, number>; // code -> value
  changes: { t: number; code: string; v: number }[];
}

/** A minimal VCD reader: header keywords, $var wire 1, $dumpvars, #time and scalar changes. */
function parseVcd(text: string): Vcd {
  const tokens = text.split(/\s+/).filter((s) => s.length > 0);
  const vcd: Vcd = { timescale: "", vars: new Map(), initial: new Map(), changes: [] };
  let i = 0;
  let t = -1;
  let inDump = false;
  let defsDone = false;
  while (i < tokens.length) {
    const tok = tokens[i++] as string;
    if (tok.startsWith("$") && tok !== "$end" && tok !== "$dumpvars") {
      const body: string[] = [];
      while (tokens[i] !== "$end") body.push(tokens[i++] as string);
      i++;
      if (tok === "$timescale") vcd.timescale = body.join("");
      if (tok === "$var") {
        expect(body[0]).toBe("wire");
        expect(body[1]).toBe("1");
        vcd.vars.set(body[3] as string, body[2] as string);
      }
      if (tok === "$enddefinitions") defsDone = true;
      continue;
    }
    if (tok === "$dumpvars") {
      expect(defsDone).toBe(true);
      inDump = true;
      continue;
    }
    if (tok === "$end") {
      inDump = false;
      continue;
    }
    if (tok.startsWith("#")) {
      const nt = Number(tok.slice(1));
      expect(nt).toBeGreaterThan(t); // strictly increasing timestamps
      t = nt;
      continue;
    }
    const m = /^([01])(.+)$/.exec(tok);
    if (!m) throw new Error(`bad VCD token ${tok}`);
    const v = Number(m[1]);
    const code = m[2] as string;
    if (inDump) vcd.initial.set(code, v);
    else vcd.changes.push({ t, code, v });
  }
  return vcd;
}

/** The waveform of one var as (time, value) steps, starting with its initial value at 0. */
function wave(vcd: Vcd, name: string): { t: number; v: number }[] {
  const code = vcd.vars.get(name) as string;
  return [{ t: 0, v: vcd.initial.get(code) as number }, ...vcd.changes.filter((c) => c.code === code).map(({ t, v }) => ({ t, v }))];
}

function levelAt(w: { t: number; v: number }[], t: number): number {
  let v = w[0]!.v;
  for (const s of w) if (s.t <= t) v = s.v;
  return v;
}

/** Decodes UART frames from a line waveform: sample each bit in its middle. */
function decodeUart(w: { t: number; v: number }[], baud: number): { bytes: number[]; framingErrors: number } {
  const bitNs = 1e9 / baud;
  const bytes: number[] = [];
  let framingErrors = 0;
  let from = 0;
  let t0 = -1;
  for (;;) {
    if (t0 < 0) {
      // idle: the next falling edge at or after `from` is a start bit
      const fall = w.find((s, k) => k > 0 && s.t >= from && s.v === 0 && levelAt(w, s.t - 1) === 1);
      if (fall === undefined) break;
      t0 = fall.t;
    }
    let byte = 0;
    for (let j = 0; j < 8; j++) byte |= levelAt(w, t0 + (j + 1.5) * bitNs) << j;
    const stop = levelAt(w, t0 + 9.5 * bitNs);
    if (stop !== 1) framingErrors++;
    bytes.push(byte);
    // after a bad stop bit the line never went idle: the next frame starts right at this one's end
    from = t0 + 10 * bitNs;
    t0 = stop === 1 ? -1 : from;
  }
  return { bytes, framingErrors };
}

async function recorded(seed: number) {
  const sim = new Simulator({ seed });
  const vcd = new VcdRecorder(sim, { pins: [0, 2], comment: `seed ${seed}` });
  // GPIO 0: edges at 1 µs, 3 µs, 10 µs
  sim.at(1000, () => sim.gpio(0).drive(1));
  sim.at(3000, () => sim.gpio(0).drive(0));
  sim.at(10_000, () => sim.gpio(0).drive(1));
  // UART0 RX: "Hi", then a framing error (a break), then 0xA5
  sim.uart(0).inject("Hi");
  sim.uart(0).injectFramingError();
  sim.uart(0).inject([0xa5]);
  // the firmware writes "ok" on UART1 and lights the LED (pin 2)
  const t = sim.spawn();
  const port = t.sys.io_create(0);
  const u1 = t.sys.open("/dev/uart1");
  const buf = t.alloc(8);
  t.memory.set([0x6f, 0x6b], buf);
  const sqe = t.alloc(48);
  writeSubmission(t.view, sqe, 1, 0, OP_WRITE, 0, u1, buf, 2, 0);
  sim.at(5000, () => {
    t.sys.io_submit(port, sqe, 1);
    t.sys.gpio_write(2, 1);
  });
  await sim.advance(1_000_000);
  return { sim, text: vcd.toString() };
}

describe("VCD waveforms", () => {
  it("declares the wires with a 1 ns timescale and records the GPIO edges at their times", async () => {
    const { text } = await recorded(1);
    expect(text).toContain("$comment seed 1 $end");
    const vcd = parseVcd(text);
    expect(vcd.timescale).toBe("1ns");
    expect([...vcd.vars.keys()]).toEqual(["gpio0", "gpio2", "uart0_rx", "uart0_tx", "uart1_rx", "uart1_tx"]);
    expect(new Set(vcd.vars.values()).size).toBe(6);
    expect(wave(vcd, "gpio0")).toEqual([
      { t: 0, v: 0 },
      { t: 1000, v: 1 },
      { t: 3000, v: 0 },
      { t: 10_000, v: 1 },
    ]);
    expect(wave(vcd, "gpio2")).toEqual([
      { t: 0, v: 0 },
      { t: 5000, v: 1 },
    ]);
    // the UART lines idle high
    expect(wave(vcd, "uart0_rx")[0]).toEqual({ t: 0, v: 1 });
    expect(wave(vcd, "uart0_tx")).toEqual([{ t: 0, v: 1 }]);
  });

  it("UART lines carry start, 8 data bits LSB first and stop at the baud rate, and decode back into the bytes", async () => {
    const { sim, text } = await recorded(1);
    const vcd = parseVcd(text);
    const rx = wave(vcd, "uart0_rx");
    // the first frame: start bit at 0, ends at byte 1's arrival
    expect(rx[1]).toEqual({ t: 0, v: 0 });
    const T = byteNs(1);
    // 'H' = 0x48 = 0b01001000: bits LSB first 0,0,0,1,0,0,1,0 → first 1 at bit 4 (start + 4 bit times)
    expect(rx[2]).toEqual({ t: Math.floor((4 * T) / 10), v: 1 });
    const dec = decodeUart(rx, 115200);
    expect(dec.bytes).toEqual([0x48, 0x69, 0x00, 0xa5]);
    expect(dec.framingErrors).toBe(1);
    expect(sim.uart(0).framingErrors).toBe(1);
    const tx = decodeUart(wave(vcd, "uart1_tx"), 115200);
    expect(tx).toEqual({ bytes: [0x6f, 0x6b], framingErrors: 0 });
    expect(sim.uart(1).receivedText()).toBe("ok");
    // the TX frame starts when the write is submitted (5 µs)
    expect(wave(vcd, "uart1_tx")[1]).toEqual({ t: 5000, v: 0 });
  });

  it("the same seed gives a byte-identical file", async () => {
    expect((await recorded(7)).text).toBe((await recorded(7)).text);
  });
});
