/**
 * `ioport start`: the demo firmware (firmware/main/app.ts) on a simulated
 * board, with a live view of its timeline and a scripted stimulus — button
 * presses (one of them bouncing) and shell commands typed into the console
 * UART — then a clean exit (code 0).
 *
 * The view: on a TTY, timeline lines scroll above a status bar redrawn in
 * place (LED, button, heartbeat, IRQ counts, virtual time), paced at wall
 * speed; otherwise (CI, pipes) plain timestamped lines as fast as the
 * simulator runs. `--interactive` types stdin lines into the shell instead
 * of the script, until end of input.
 */
import { createInterface } from "node:readline";
import { startApp, type App } from "../../firmware/main/app.js";
import { boardNames } from "../../host-sim/boards.js";
import { Simulator } from "../../host-sim/simulator.js";
import { intOption, parseArgs } from "../lib/args.js";
import { RunError, UsageError } from "../lib/command.js";
import { plural } from "../lib/plural.js";

interface StartOptions {
  board: string;
  seed: number;
  interactive: boolean;
  fast: boolean;
  tty: boolean;
}

export const usage = `usage: ioport start [--board <name>] [--seed <n>] [--interactive] [--fast]

Runs the demo firmware on a simulated board with a scripted stimulus and a
live view, then exits 0. It writes no files.
  --board <name>  ${boardNames().join(", ")} (default sim-devkit)
  --seed <n>      PRNG seed, 0 to 4294967295 (default 1)
  --interactive   type stdin lines into the firmware's shell instead of the script
  --fast          do not pace virtual time at wall speed on a terminal

exit: 0 the demo ran, 1 the simulation failed, 2 a bad option or board
`;

function parse(args: string[]): StartOptions {
  const p = parseArgs(args, ["board", "seed"], ["interactive", "fast"]);
  if (p.positionals.length > 0) throw new UsageError(`unexpected argument "${p.positionals[0]}"`);
  const board = p.values.get("board") ?? "sim-devkit";
  if (!boardNames().includes(board)) throw new UsageError(`unknown board "${board}" (boards: ${boardNames().join(", ")})`);
  return {
    board,
    seed: intOption(p, "seed", 1, 0, 0xffffffff),
    interactive: p.flags.has("interactive"),
    fast: p.flags.has("fast"),
    tty: process.stdout.isTTY === true,
  };
}

const ESC = "\x1b[";

/** The timeline view: plain lines, or lines above a status bar on a TTY. */
class View {
  private statusShown = false;
  private uartText = "";
  constructor(
    private readonly sim: Simulator,
    private readonly tty: boolean,
  ) {}

  private stamp(): string {
    return `[${(this.sim.now / 1e9).toFixed(3).padStart(7)} s]`;
  }

  line(text: string): void {
    const out = `${this.stamp()} ${text}`;
    if (this.tty) {
      process.stdout.write(`\r${ESC}2K${out}\n`);
      this.statusShown = false;
    } else {
      process.stdout.write(`${out}\n`);
    }
  }

  /** New bytes the firmware sent on the console UART: print completed lines. */
  uart(bytes: string): void {
    this.uartText += bytes;
    for (;;) {
      const i = this.uartText.indexOf("\n");
      if (i < 0) break;
      const raw = this.uartText.slice(0, i).replace(/\r/g, "");
      this.uartText = this.uartText.slice(i + 1);
      this.line(`uart  | ${this.tty ? raw : applyBackspaces(raw)}`);
    }
  }

  status(app: App): void {
    if (!this.tty) return;
    const s = app.stats;
    const led = s.led ? `${ESC}1;32m●${ESC}0m` : "○";
    const bar =
      `${ESC}7m ${app.board.name} ${ESC}0m t=${(this.sim.now / 1e9).toFixed(3)} s  LED ${led}  ` +
      `button ${plural(s.presses, "press", "presses")}/${plural(s.buttonEdges, "edge")}  heartbeat ${s.ticks}  loopback ${s.loopbackEdges}  ` +
      `cmds ${s.commands}  ping ${s.pongs}/${s.pings}`;
    process.stdout.write(`\r${ESC}2K${bar}`);
    this.statusShown = true;
  }

  end(): void {
    if (this.tty && this.statusShown) process.stdout.write("\n");
  }
}

/** What a terminal shows for a line with backspace-space-backspace erasures. */
function applyBackspaces(s: string): string {
  let out = "";
  for (const ch of s) {
    if (ch === "\b") out = out.slice(0, -1);
    else out += ch;
  }
  return out.replace(/ +$/, "");
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

const MS = 1_000_000;

export async function run(args: string[]): Promise<number> {
  const o = parse(args);
  const sim = new Simulator({ board: o.board, seed: o.seed });
  const board = sim.board;
  const view = new View(sim, o.tty);
  view.line(`start | demo firmware on ${board.name} (seed ${o.seed})${o.interactive ? ", interactive: type commands, end with Ctrl-D" : ""}`);
  const app = startApp(sim.kernel, board, {
    heartbeatMs: 1000,
    log: (m) => view.line(`log   | ${m}`),
    events: {
      led: (level) => view.line(`led   | LED ${level ? "on" : "off"} (pin ${board.led})`),
      button: (presses, edges) => view.line(`irq   | button: ${plural(edges, "edge")}, ${plural(presses, "press", "presses")}`),
      heartbeat: (ticks) => view.line(`timer | heartbeat ${ticks}`),
      command: (line) => view.line(`shell | command "${line}"`),
    },
  });
  const consolePath = board.console ?? "/dev/uart0";
  const uartN = Number(consolePath.replace("/dev/uart", ""));
  const uart = sim.uart(uartN);
  const active = board.buttonWiring?.active ?? 1;
  const button = board.button;
  if (button !== undefined) sim.gpio(button).drive(active ^ 1); // idle level (a pull-up reads 1)

  let sent = 0;
  const flushUart = () => {
    const bytes = uart.received();
    if (bytes.length > sent) {
      view.uart(Buffer.from(bytes.subarray(sent)).toString("latin1"));
      sent = bytes.length;
    }
  };

  const type = (text: string) => () => {
    view.line(`type  | ${JSON.stringify(text)}`);
    uart.inject(text);
  };
  const press = (bounces: number) => () => {
    if (button === undefined) return;
    const pin = sim.gpio(button);
    view.line(`press | button pin ${button}${bounces > 0 ? ` (bouncing ${bounces}x)` : ""}`);
    pin.drive(active);
    for (let i = 0; i < bounces; i++) {
      sim.after((i * 2 + 1) * 400_000, () => pin.drive(active ^ 1));
      sim.after((i * 2 + 2) * 400_000, () => pin.drive(active));
    }
    sim.after(80 * MS, () => pin.drive(active ^ 1));
  };

  const stepNs = 10 * MS;
  const pace = o.tty && !o.fast;
  try {
    if (o.interactive) {
      const rl = createInterface({ input: process.stdin });
      let ended = false;
      rl.on("line", (l) => uart.inject(`${l}\r`));
      rl.on("close", () => (ended = true));
      while (!ended) {
        await sim.advance(stepNs);
        flushUart();
        view.status(app);
        await sleep(10);
      }
      await sim.advance(200 * MS);
      flushUart();
    } else {
      const script: [number, () => void][] = [
        [300, type("help\r")],
        [900, press(0)],
        [1400, press(3)],
        [1900, type("status\r")],
        [2400, type("loop\r")],
        [2900, type("ping\r")],
        [3400, type("uptmie\b\b\bime\r")],
        [3900, type("irq\r")],
        [4400, type("frobnicate\r")],
      ];
      for (const [ms, fn] of script) sim.at(ms * MS, fn);
      const endNs = 5000 * MS;
      while (sim.now < endNs) {
        await sim.advance(stepNs);
        flushUart();
        view.status(app);
        if (pace) await sleep(10);
      }
    }
    app.stop();
    await sim.advance(0);
    flushUart();
  } catch (e) {
    view.end();
    throw new RunError(`the simulation failed: ${(e as Error).stack ?? String(e)}`);
  }
  const s = app.stats;
  view.line(
    `done  | ${s.commands} commands, ${s.presses} presses (${s.bounces} bounces filtered), LED ${s.led ? "on" : "off"}, ` +
      `${s.ticks} heartbeats, ${s.loopbackEdges} loopback edges, pings ${s.pongs}/${s.pings}, live objects ${sim.kernel.liveObjects}`,
  );
  view.end();
  return 0;
}
