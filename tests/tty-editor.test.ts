/**
 * The terminal line editor (core/objects/tty.ts): its batch path (`edit`,
 * printable keys in a loop over locals, control keys through `control`)
 * against DST's reference editor written from the spec
 * (host-sim/dst/tty-ref.ts), key by key; and a UART device fed per byte
 * (`receive`, the simulator's path) against one fed in batches
 * (`receiveBytes`, the Moddable serial's). The contract-level behaviour is in
 * tests/conformance/tty.ts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Kernel, OPEN_TTY, type Platform, type SerialBackend, type SerialSink } from "../core/index.js";
import { ECHO_RUN, LineEditor } from "../core/objects/tty.js";
import type { UartDevice } from "../core/objects/uart.js";
import { isSubsequence, TtyReference } from "../host-sim/dst/tty-ref.js";

/** Keys a terminal sends, control bytes and escape sequences well represented. */
const keys = fc.array(
  fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
    { weight: 3, arbitrary: fc.constantFrom(0x0d, 0x0a, 0x08, 0x7f, 0x15, 0x03, 0x1b, 0x5b, 0x41, 0x01, 0x00, 0x07, 0x09) },
    { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
  ),
  { maxLength: 200, size: "max" },
);
/** Where a batch ends (fractions of the input). */
const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 });

function batches(n: number, at: number[]): [number, number][] {
  const ends = [...new Set(at.map((f) => Math.floor(f * n)))].filter((e) => e > 0 && e < n).sort((a, b) => a - b);
  const out: [number, number][] = [];
  let from = 0;
  for (const e of [...ends, n]) {
    out.push([from, e]);
    from = e;
  }
  return n === 0 ? [] : out;
}

function echoOf(ed: LineEditor): number[] {
  const out: number[] = [];
  for (let i = 0; i < ed.echoCount; i++) out.push(ed.echo[(ed.echoHead + i) % ed.echo.length] as number);
  ed.echoSent(ed.echoCount);
  return out;
}

describe("the terminal line editor", () => {
  it("edit() over any batches gives the lines and echo the spec's reference gives one key at a time", () => {
    fc.assert(
      fc.property(keys, cuts, fc.integer({ min: 2, max: 40 }), (input, at, lineMax) => {
        const data = Uint8Array.from(input);
        const ref = new TtyReference(lineMax);
        const lines1: number[][] = [];
        for (const c of input) {
          const line = ref.key(c);
          if (line !== null) lines1.push(line);
        }
        const ed = new LineEditor(lineMax);
        const lines2: number[][] = [];
        const echo2: number[] = [];
        for (const [from, to] of batches(data.length, at)) {
          let i = from;
          while (i < to) {
            // in runs of ECHO_RUN keys with the echo sent between them, as UartDevice does
            i = ed.edit(data, i, Math.min(to, i + ECHO_RUN));
            echo2.push(...echoOf(ed));
            if (ed.ended !== 0) {
              lines2.push([...ed.line.subarray(0, ed.ended)]);
              ed.len = 0;
            }
          }
        }
        expect(lines2).toEqual(lines1);
        expect(ed.echoDropped).toBe(0);
        expect(echo2).toEqual(ref.echo);
        expect([...ed.line.subarray(0, ed.len)]).toEqual(ref.line);
      }),
      { numRuns: 500 },
    );
  });
});

/** A UART that records what the kernel transmits and finishes each transmission when told. */
class RecordingUart implements SerialBackend {
  readonly path = "/dev/uart0";
  readonly baud = 115200;
  sink: SerialSink | null = null;
  readonly sent: number[] = [];
  private pending: { data: Uint8Array; off: number; len: number } | null = null;
  constructor(
    readonly rxBuffer: number,
    private readonly fifo: boolean,
  ) {}
  connect(sink: SerialSink): void {
    this.sink = sink;
  }
  transmit(data: Uint8Array, off: number, len: number): void {
    this.pending = { data, off, len };
  }
  /** The line finishes the transmission in progress. */
  finish(): void {
    const p = this.pending;
    if (p === null) return;
    this.pending = null;
    this.sent.push(...p.data.subarray(p.off, p.off + p.len));
    this.sink?.transmitDone(0);
  }
  abortTransmit(): void {
    this.pending = null;
  }
  get transmitNow(): SerialBackend["transmitNow"] {
    if (!this.fifo) return undefined;
    return (data, off, len) => {
      if (this.pending !== null) return false;
      this.sent.push(...data.subarray(off, off + len));
      return true;
    };
  }
}

function rig(rxBuffer: number, fifo: boolean) {
  const uart = new RecordingUart(rxBuffer, fifo);
  const platform: Platform = { now: () => 0, schedule: () => 1, cancel: () => {}, devices: { serial: [uart] } };
  const kernel = new Kernel(platform);
  const t = kernel.spawn();
  t.sys.open("/dev/uart0", OPEN_TTY);
  const dev = kernel.dev.uarts[0] as UartDevice;
  return { uart, kernel, dev };
}

describe("a UART in terminal mode", () => {
  it("takes bytes in batches (receiveBytes) as it takes them one by one (receive): the same lines, overruns and kept counts, and the same echo unless a batch outran a transmitter without a FIFO", () => {
    fc.assert(
      fc.property(keys, cuts, fc.integer({ min: 2, max: 64 }), fc.boolean(), (input, at, rxBuffer, fifo) => {
        const data = Uint8Array.from(input);
        const a = rig(rxBuffer, fifo);
        let keptA = 0;
        for (const c of input) {
          if (a.dev.receive(c, 0)) keptA++;
          a.uart.finish();
        }
        const b = rig(rxBuffer, fifo);
        let keptB = 0;
        for (const [from, to] of batches(data.length, at)) {
          keptB += b.dev.receiveBytes(data.subarray(from, to), to - from, 0);
          b.uart.finish();
        }
        for (let i = 0; i < 4; i++) {
          a.uart.finish();
          b.uart.finish();
        }
        // input is never lost; echo only where a batch outran a transmitter without a FIFO (counted)
        expect([b.dev.rxCount, b.dev.overruns, b.dev.overflow, keptB]).toEqual([a.dev.rxCount, a.dev.overruns, a.dev.overflow, keptA]);
        if (fifo || (b.dev.tty as LineEditor).echoDropped === 0) expect(b.uart.sent).toEqual(a.uart.sent);
        else expect(isSubsequence(b.uart.sent, a.uart.sent)).toBe(true);
        expect((a.dev.tty as LineEditor).echoDropped).toBe(0);
        expect([...b.dev.rx.subarray(0, b.dev.rxCount)]).toEqual([...a.dev.rx.subarray(0, a.dev.rxCount)]);
        expect(a.kernel.checkInvariants()).toBeUndefined();
        expect(b.kernel.checkInvariants()).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });
});
