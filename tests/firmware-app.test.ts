import { describe, expect, it } from "vitest";
import { startApp, formatDuration, loopVerdict, PROMPT } from "../firmware/main/app.js";
import { Simulator } from "../host-sim/index.js";

const MS = 1_000_000;

function boot(board = "sim-devkit") {
  const sim = new Simulator({ board, seed: 1 });
  const logs: string[] = [];
  const app = startApp(sim.kernel, sim.board, { heartbeatMs: 100, log: (m) => logs.push(m) });
  const uart = sim.uart(0);
  const typeAndRun = async (text: string, ms = 50) => {
    uart.clearReceived();
    uart.inject(text);
    await sim.advance(ms * MS);
    return uart.receivedText();
  };
  return { sim, app, uart, logs, typeAndRun };
}

describe("demo firmware (firmware/main/app.ts) on the simulated board", () => {
  it("greets with a prompt on the console UART", async () => {
    const { sim, uart } = boot();
    await sim.advance(10 * MS);
    expect(uart.receivedText()).toBe(`\r\nioport demo 1 on sim-devkit - type help\r\n${PROMPT}`);
  });

  it("the button's IRQ toggles the LED through OP_IRQ_WAIT; bounces within 30 ms are filtered", async () => {
    const { sim, app } = boot();
    const led = sim.gpio(sim.board.led!);
    const button = sim.gpio(sim.board.button!);
    expect(led.isOutput).toBe(true);
    expect(led.level).toBe(0);
    button.drive(1);
    await sim.advance(1 * MS);
    expect(led.level).toBe(1);
    // bounces: three more rising edges within a few ms
    for (let i = 0; i < 3; i++) {
      button.drive(0);
      await sim.advance(MS / 2);
      button.drive(1);
      await sim.advance(MS / 2);
    }
    expect(led.level).toBe(1);
    expect(app.stats).toMatchObject({ presses: 1, buttonEdges: 4, bounces: 3 });
    button.drive(0);
    await sim.advance(100 * MS);
    button.drive(1);
    await sim.advance(MS);
    expect(led.level).toBe(0);
    expect(app.stats.presses).toBe(2);
  });

  it("the panel's interrupts take the fast path: multishot arms and io_watch, no syscall per interrupt", async () => {
    const { sim, app } = boot();
    const sys = app.panel.task.sys as unknown as Record<string, (...a: unknown[]) => unknown>;
    const calls: string[] = [];
    for (const name of ["io_submit", "io_wait_cb", "io_watch", "io_wait"]) {
      const f = sys[name]!;
      sys[name] = (...a: unknown[]) => (calls.push(name), f(...a));
    }
    const button = sim.gpio(sim.board.button!);
    for (let i = 0; i < 5; i++) {
      button.drive(1);
      await sim.advance(50 * MS);
      button.drive(0);
      await sim.advance(50 * MS);
    }
    expect(app.stats.presses).toBe(5);
    expect(app.stats.ticks).toBe(5); // heartbeat interrupts in the same 500 ms
    expect(calls).toEqual([]); // no io_submit to re-arm, no wait call: the arms stay armed, the watch delivers
  });

  it("the heartbeat is a periodic timer IRQ line", async () => {
    const { sim, app } = boot();
    await sim.advance(1050 * MS);
    expect(app.stats.ticks).toBe(10);
  });

  it("shell: help, status, uptime, irq, led, unknown commands", async () => {
    const { sim, typeAndRun } = boot();
    await sim.advance(10 * MS);
    expect(await typeAndRun("help\r")).toMatch(/^help\r\ncommands:\r\n {2}help {12}this list\r\n[\s\S]*\r\nioport> $/);
    expect(await typeAndRun("status\r")).toContain("board sim-devkit: led off, button presses 0, heartbeat 0");
    expect(await typeAndRun("uptime\r")).toMatch(/^uptime\r\nup 0\.\d{3} s\r\nioport> $/);
    expect(await typeAndRun("led on\r")).toBe("led on\r\nled on\r\nioport> ");
    expect(sim.gpio(sim.board.led!).level).toBe(1);
    expect(await typeAndRun("irq\r")).toContain("heartbeat timer 0x100:");
    expect(await typeAndRun("xyzzy\r")).toBe("xyzzy\r\nunknown command: xyzzy (try help)\r\nioport> ");
    expect(await typeAndRun("\r")).toBe(`\r\n${PROMPT}`);
  });

  it("line editing: backspace, DEL, Ctrl-U, Ctrl-C, CR LF as one end of line, escape sequences swallowed", async () => {
    const { sim, app, typeAndRun } = boot();
    await sim.advance(10 * MS);
    // the echo erases each character with backspace, space, backspace ("\b" in a regex would be a word boundary)
    expect((await typeAndRun("uptmie\b\b\bime\r")).startsWith("uptmie\b \b\b \b\b \bime\r\nup ")).toBe(true);
    expect(await typeAndRun("junk\x15led\x7f\x7f\x7fled\r\n")).toContain("led off\r\nioport> ");
    expect(await typeAndRun("half\x03")).toBe("half^C\r\nioport> ");
    expect(await typeAndRun("\x1b[Aled\r")).toBe("led\r\nled off\r\nioport> ");
    expect(app.stats.commands).toBe(3);
  });

  it("a line over 80 keys is echoed whole, then answered 'line too long' and not run", async () => {
    const { sim, app, typeAndRun } = boot();
    await sim.advance(10 * MS);
    const long = "led on " + "x".repeat(90);
    expect(await typeAndRun(`${long}\r`)).toBe(`${long}\r\nline too long (over 80 characters): not run\r\n${PROMPT}`);
    expect(app.stats.commands).toBe(0);
    expect(app.stats.led).toBe(0);
    expect(await typeAndRun("led\r")).toBe(`led\r\nled off\r\n${PROMPT}`);
  });

  it("loop: drives the loopback jumper and counts the edges on the other pin", async () => {
    const { sim, app, typeAndRun } = boot();
    await sim.advance(10 * MS);
    expect(await typeAndRun("loop\r")).toContain("loopback: drove 4 edges, counted 4 - jumper OK");
    expect(app.stats.loopbackEdges).toBe(4);
  });

  it("ping: the shell passes a reply channel's send end to the worker, which answers on it", async () => {
    const { sim, app, typeAndRun, logs } = boot();
    await sim.advance(10 * MS);
    expect(app.stats.ipc).toBe(0);
    const before = sim.kernel.liveObjects;
    expect(await typeAndRun("ping\r")).toBe("ping\r\npong #1 from worker (served 1; it answered on its fd 2, passed from our fd 3)\r\nioport> ");
    expect(await typeAndRun("ping\r")).toContain("pong #2 from worker (served 2;");
    expect(app.stats).toMatchObject({ pings: 2, pongs: 2 });
    // both ends of each reply channel are closed on both sides afterwards (the shell's fd from
    // svc_lookup is one more reference to the worker's registered send end, not a new object)
    expect(sim.kernel.liveObjects).toBe(before);
    expect(app.worker.task.fds.filter((f) => f !== null).length).toBe(2); // its recv end and its port
    expect(logs).toEqual([]);
  });

  it("runs on the Pico board file too: active-low button with pull-up, LED GP25", async () => {
    const { sim, app } = boot("pico");
    const button = sim.gpio(14);
    button.drive(1); // idle: pulled up
    await sim.advance(MS);
    expect(app.stats.presses).toBe(0);
    button.drive(0);
    await sim.advance(MS); // the modelled 56-58 µs interrupt latency
    expect(sim.gpio(25).level).toBe(1);
    expect(app.stats.presses).toBe(1);
  });

  it("stop ends every task and leaves no kernel objects behind", async () => {
    const { sim, app } = boot();
    await sim.advance(300 * MS);
    app.stop();
    await sim.advance(0);
    expect(sim.kernel.liveObjects).toBe(0);
    expect(sim.kernel.tasks.size).toBe(0);
  });

  it("formatDuration", () => {
    expect(formatDuration(3_401_000_000)).toBe("3.401 s");
    expect(formatDuration(125_000_000_000)).toBe("2 min 05.000 s");
    expect(formatDuration(3_725_500_000_000)).toBe("1 h 02 min 05.500 s");
  });
});

describe("loop's verdict", () => {
  it("blames the jumper only for no edge, too many, or a short count where every edge is reported", () => {
    expect(loopVerdict(4, 4, false)).toBe("drove 4 edges, counted 4 - jumper OK");
    expect(loopVerdict(4, 4, true)).toBe("drove 4 edges, counted 4 - jumper OK");
    expect(loopVerdict(4, 2, true)).toBe("drove 4 edges, counted 2 (this GPIO driver merges edges that come close together) - jumper OK");
    expect(loopVerdict(4, 2, false)).toBe("drove 4 edges, counted 2 - check the jumper");
    expect(loopVerdict(4, 0, true)).toBe("drove 4 edges, counted 0 - check the jumper");
    expect(loopVerdict(4, 5, true)).toBe("drove 4 edges, counted 5 - check the jumper");
  });
});
