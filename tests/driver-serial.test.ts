import { describe, expect, it } from "vitest";
import { decodeCompletion, encodeSubmission, Kernel, OP_READ, OP_WRITE, OPEN_TTY } from "../core/index.js";
import { ModdablePlatform } from "../drivers/moddable/index.js";
import { loadBoard } from "../host-sim/index.js";
import { FakePins, FakeSerialPort, FakeWorld } from "./fakes/moddable.js";

function rig(txFifo = 8, flags = 0) {
  const world = new FakeWorld();
  const pins = new FakePins(world);
  const uart = new FakeSerialPort(world, txFifo);
  const board = loadBoard("pico");
  const platform = new ModdablePlatform({
    board,
    io: { Digital: pins.makeClass(), Serial: uart.makeClass() },
    Timer: world.timers,
    microseconds: world.microseconds,
  });
  const kernel = new Kernel(platform);
  const t = kernel.spawn();
  const port = t.sys.io_create(0);
  const fd = t.sys.open("/dev/uart0", flags);
  const got: { ud: bigint; result: number; at: number }[] = [];
  const cqes = t.alloc(24 * 8);
  const wait = () => {
    const cb = (n: number) => {
      for (let i = 0; i < n; i++) {
        const c = decodeCompletion(t.view, cqes + 24 * i);
        got.push({ ud: c.userData, result: c.result, at: world.us });
      }
      wait();
    };
    const n = t.sys.io_wait_cb(port, cqes, 8, 1, 0, cb);
    if (n >= 0) cb(n);
  };
  const submit = (ud: number, opcode: number, addr: number, len: number) => {
    const sqe = t.alloc(48);
    encodeSubmission(t.view, sqe, { userData: ud, opcode, fd, bufAddr: addr, bufLen: len });
    return t.sys.io_submit(port, sqe, 1);
  };
  return { world, uart, t, port, fd, got, wait, submit, platform };
}

describe("UART on ECMA-419 Serial (drivers/moddable/serial.ts)", () => {
  it("opens the board's port with its pins, baud and number format at kernel start", () => {
    const { uart } = rig();
    expect(uart.instance!.options).toMatchObject({ port: 0, transmit: 0, receive: 1, baud: 115200, format: "number" });
  });

  it("received bytes reach OP_READ; a partial read completes after the idle gap", () => {
    const { world, uart, t, got, wait, submit } = rig();
    world.settle();
    const buf = t.alloc(16);
    expect(submit(1, OP_READ, buf, 16)).toBe(1);
    wait();
    uart.instance!.arrive("hi\n");
    world.settle();
    expect(got).toEqual([]); // 3 of 16 bytes: waits for the line to go idle
    world.advanceUs(5_000);
    expect(got.map((g) => [g.ud, g.result])).toEqual([[1n, 3]]);
    expect(new TextDecoder().decode(t.memory.subarray(buf, buf + 3))).toBe("hi\n");
  });

  it("bytes the driver holds but has not reported yet join the read before the line counts as idle (poll)", () => {
    const { world, uart, t, got, wait, submit } = rig();
    world.settle();
    const buf = t.alloc(16);
    expect(submit(1, OP_READ, buf, 16)).toBe(1);
    wait();
    const s = uart.instance!;
    s.arrive("ab");
    (world.messages.shift() as () => void)(); // onReadable(2)
    s.arrive("cd");
    world.messages.length = 0; // Moddable runs due timers before this message: it has not come when the idle timer fires
    world.advanceUs(5_000);
    expect(got.map((g) => [g.ud, g.result])).toEqual([[1n, 4]]);
    expect(new TextDecoder().decode(t.memory.subarray(buf, buf + 4))).toBe("abcd");
  });

  it("transmit respects the FIFO: never writes more than onWritable allowed, completes when the last byte is in", () => {
    const { world, uart, t, got, wait, submit } = rig(8);
    world.settle(); // the initial onWritable(8)
    const text = "0123456789abcdefghij"; // 20 bytes through an 8-byte FIFO
    const buf = t.alloc(20);
    t.memory.set(new TextEncoder().encode(text), buf);
    expect(submit(2, OP_WRITE, buf, 20)).toBe(1);
    wait();
    const s = uart.instance!;
    expect(s.tx.length).toBe(8);
    expect(got).toEqual([]);
    s.drain(5);
    world.settle();
    expect(s.tx.length).toBe(8);
    expect(got).toEqual([]);
    s.drain();
    world.settle();
    s.drain();
    world.settle();
    expect(got.map((g) => [g.ud, g.result])).toEqual([[2n, 20]]);
    s.drain();
    expect(String.fromCharCode(...uart.wire)).toBe(text);
    expect(s.writesWhenFull).toBe(0);
  });

  it("a write that fits the FIFO completes on a later pass, not inside io_submit", () => {
    const { world, t, got, wait, submit } = rig(64);
    world.settle();
    const buf = t.alloc(4);
    t.memory.set([1, 2, 3, 4], buf);
    wait();
    expect(submit(3, OP_WRITE, buf, 4)).toBe(1);
    expect(got).toEqual([]);
    world.settle();
    expect(got.map((g) => [g.ud, g.result])).toEqual([[3n, 4]]);
  });

  it("writes queue in order; closing the stream mid-write stops feeding the FIFO", () => {
    const { world, uart, t, fd, got, wait, submit } = rig(4);
    world.settle();
    const a = t.alloc(10), b = t.alloc(3);
    t.memory.set(new TextEncoder().encode("AAAAAAAAAA"), a);
    t.memory.set(new TextEncoder().encode("BBB"), b);
    wait();
    submit(4, OP_WRITE, a, 10);
    submit(5, OP_WRITE, b, 3);
    const s = uart.instance!;
    s.drain();
    world.settle();
    expect(t.sys.close(fd)).toBe(0);
    world.settle();
    s.drain();
    world.settle();
    s.drain();
    world.settle();
    expect(got.map((g) => [g.ud, g.result])).toEqual([[4n, -125], [5n, -125]]);
    // 4 in the FIFO + 4 more written after the first drain; nothing after the close
    expect(String.fromCharCode(...uart.wire)).toBe("AAAAAAAA");
    expect(s.writesWhenFull).toBe(0);
  });
  it("terminal mode: each onReadable batch is edited in one kernel entry and its echo goes into the FIFO at once, before the read completes", () => {
    const { world, uart, t, got, wait, submit } = rig(32, OPEN_TTY);
    world.settle(); // the initial onWritable(32)
    const buf = t.alloc(16);
    expect(submit(1, OP_READ, buf, 16)).toBe(1);
    wait();
    const s = uart.instance!;
    const deliver = (): void => (world.messages.shift() as () => void)(); // the onReadable message alone: no timer runs
    s.arrive("ls\x7fed");
    deliver();
    // the echo is in the FIFO when onReadable returns: no later pass of the main loop, no transmitDone
    expect(String.fromCharCode(...s.tx)).toBe("ls\b \bed");
    expect(got).toEqual([]);
    s.arrive("\r");
    deliver();
    expect(String.fromCharCode(...s.tx)).toBe("ls\b \bed\r\n");
    world.settle();
    expect(got.map((g) => [g.ud, g.result])).toEqual([[1n, 4]]);
    expect(new TextDecoder().decode(t.memory.subarray(buf, buf + 4))).toBe("led\n");
  });

  it("terminal mode: echo never lands inside a write; with the FIFO full it goes out as the next transmission", () => {
    const { world, uart, t, got, wait, submit } = rig(8, OPEN_TTY);
    world.settle();
    const text = "0123456789"; // 10 bytes through an 8-byte FIFO
    const buf = t.alloc(10);
    t.memory.set(new TextEncoder().encode(text), buf);
    expect(submit(2, OP_WRITE, buf, 10)).toBe(1);
    wait();
    const s = uart.instance!;
    s.arrive("k"); // the write still has 2 bytes to feed: the driver refuses transmitNow
    expect(s.tx.length).toBe(8);
    s.drain();
    world.settle();
    s.drain();
    world.settle();
    s.drain();
    world.settle();
    expect(String.fromCharCode(...s.port.wire)).toBe("0123456789k");
    expect(got.map((g) => [g.ud, g.result])).toEqual([[2n, 10]]);
  });
});
