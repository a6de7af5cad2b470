/**
 * The ioport demo firmware: pure, given a Kernel and a board, so the same
 * code runs on a board (main.ts builds the Moddable Platform) and in the
 * simulator (`ioport start`).
 *
 * Three tasks, each a driver loop on its own port:
 * - **panel**: the interrupt fast path — one multishot OP_IRQ_WAIT arm per
 *   line (IOSQE_MULTISHOT, spec §4.11), reaped by `io_watch` (spec §3), so
 *   an interrupt reaches this code with no syscall. The button's GPIO IRQ
 *   (debounced on the IrqEvent timestamps) toggles the LED (gpio_write); a
 *   periodic timer IRQ line is the heartbeat; the loopback input's IRQ
 *   counts edges. An arm that ends (no IOCQE_F_MORE) is armed again.
 * - **worker** loops with `io_wait_cb`, **shell** with `io_watch`.
 * - **shell**: a command shell on the board's console UART over
 *   OP_READ/OP_WRITE, with a prompt. The UART is opened as a terminal
 *   (OPEN_TTY): the kernel edits and echoes lines as keys arrive (backspace,
 *   Ctrl-U, Ctrl-C; escape sequences swallowed) and each read brings a line.
 *   Commands: help, status, irq, uptime, led, loop, ping.
 * - **worker**: serves `ping` over a channel it registers as "worker". The
 *   shell makes a reply channel for each ping and passes its send end to
 *   the worker inside the request (fd passing); the worker answers on the
 *   fd it received and closes it.
 *
 * Nothing here is module-level mutable state: everything lives in the App
 * made at run time (Moddable freezes preloaded modules' top level).
 */
import type { BoardSpec } from "../../core/board.js";
import {
  IOCQE_F_MORE,
  IOSQE_MULTISHOT,
  IPC_MESSAGE_SIZE,
  IRQ_EVENT_SIZE,
  IRQ_FALLING,
  IRQ_PERIODIC,
  IRQ_RISING,
  IRQ_TIMER_BASE,
  OP_IPC_RECV,
  OP_IPC_SEND,
  OP_IRQ_WAIT,
  OP_READ,
  OP_TIMEOUT,
  OP_WRITE,
  OPEN_TTY,
  SUBMISSION_SIZE,
} from "../../core/constants.js";
import { ECANCELED, EOVERFLOW, errnoName } from "../../core/errno.js";
import { writeSubmission } from "../../core/abi.js";
import type { Kernel } from "../../core/kernel.js";
import type { Task } from "../../core/task.js";
import { IoLoop } from "./loop.js";

export const VERSION = "ioport demo 1";
export const PROMPT = "ioport> ";

/** Hooks for a view of the firmware (the simulator's terminal view; trace on a board). */
export interface AppEvents {
  led?(level: number): void;
  button?(presses: number, edges: number): void;
  heartbeat?(ticks: number): void;
  loopback?(edges: number): void;
  command?(line: string): void;
}

export interface AppOptions {
  /** Heartbeat period (default 1000 ms). */
  heartbeatMs?: number;
  /** Button presses closer than this to the previous one are bounces (default 30 ms). */
  debounceMs?: number;
  log?: (message: string) => void;
  events?: AppEvents;
}

export interface AppStats {
  led: number;
  presses: number;
  buttonEdges: number;
  bounces: number;
  ticks: number;
  loopbackEdges: number;
  loopbackDriven: number;
  commands: number;
  pings: number;
  pongs: number;
  overruns: number;
  /** Result of setting up the worker's channel: 0, or -errno (-ENOSYS without IPC). */
  ipc: number;
}

// user_data tags (low 32 bits; high 32 bits are 0)
const UD_BUTTON = 1;
const UD_HEARTBEAT = 2;
const UD_LOOPBACK = 3;
const UD_READ = 10;
const UD_WRITE = 11;
const UD_PONG = 12;
const UD_LOOP_DONE = 13;
const UD_PING_SENT = 14;
const UD_REQUEST = 20;
const UD_REPLY_SENT = 21;

const TAG_PING = 0x50494e47; // "PING"
const TAG_PONG = 0x504f4e47; // "PONG"

/** Longest command line kept (a longer one is reported, not run); a read takes up to this much. */
const LINE_MAX = 80;
const READ_LEN = LINE_MAX;
const OUT_MAX = 1024;
/** Output the shell holds while a write is in flight (the help text is about 600 bytes). */
const PENDING_MAX = 2048;

export class App {
  readonly kernel: Kernel;
  readonly board: BoardSpec;
  readonly stats: AppStats = {
    led: 0, presses: 0, buttonEdges: 0, bounces: 0, ticks: 0, loopbackEdges: 0, loopbackDriven: 0,
    commands: 0, pings: 0, pongs: 0, overruns: 0, ipc: 0,
  };
  readonly panel: Panel;
  readonly shell: Shell;
  readonly worker: Worker;
  readonly startedNs: number;
  readonly options: AppOptions;

  constructor(kernel: Kernel, board: BoardSpec, options: AppOptions = {}) {
    this.kernel = kernel;
    this.board = board;
    this.options = options;
    this.startedNs = kernel.now();
    this.worker = new Worker(this);
    this.panel = new Panel(this);
    this.shell = new Shell(this);
  }

  log(message: string): void {
    if (this.options.log) this.options.log(message);
  }

  get events(): AppEvents {
    return this.options.events ?? {};
  }

  /** Ends every task (closing every fd, with full close semantics). */
  stop(): void {
    this.shell.stop();
    this.panel.stop();
    this.worker.stop();
  }
}

/** Starts the demo firmware on `kernel` for `board`. */
export function startApp(kernel: Kernel, board: BoardSpec, options: AppOptions = {}): App {
  return new App(kernel, board, options);
}

/**
 * What `loop` can say from `got` edges counted of `driven` driven. Where the
 * GPIO backend merges edges (ECMA-419 Digital), a count below `driven` is
 * what the backend saw, not a broken jumper: any edge at all proves the
 * wire. Only no edge (or more edges than driven: noise) blames the jumper.
 */
export function loopVerdict(driven: number, got: number, merges: boolean): string {
  const head = `drove ${driven} edges, counted ${got}`;
  if (got === driven) return `${head} - jumper OK`;
  if (merges && got > 0 && got < driven) return `${head} (this GPIO driver merges edges that come close together) - jumper OK`;
  return `${head} - check the jumper`;
}

/** XS's `ArrayBuffer.fromString`: a string's UTF-8 bytes in one copy (absent in other engines); a method: it constructs through `this`. */
const XsArrayBuffer = ArrayBuffer as unknown as { fromString?: (s: string) => ArrayBuffer };

/**
 * The bytes of `text`, each character outside ASCII as "?". Measured on the
 * emulated Pico: XS keeps strings as UTF-8 and its `charCodeAt(i)` walks
 * from the start of the string (the build has no string-offset cache), so a
 * loop of `charCodeAt` is quadratic: the 600-character help text took about
 * 100 ms of CPU, and the echo of the bytes typed with it waited that long.
 * `ArrayBuffer.fromString` copies the string once; elsewhere charCodeAt is
 * constant time.
 */
export function asciiBytes(text: string): Uint8Array {
  if (typeof XsArrayBuffer.fromString === "function") {
    const utf8 = new Uint8Array(XsArrayBuffer.fromString(text));
    if (utf8.length === text.length) return utf8; // ASCII: one byte per character
  }
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[i] = c < 0x80 ? c : 0x3f;
  }
  return out;
}

/** Submits one entry from the task's staging slot; returns io_submit's result. */
function submit1(t: Task, sqe: number, port: number, ud: number, opcode: number, fd: number, addr: number, len: number, timeoutNs = 0, flags = 0): number {
  writeSubmission(t.view, sqe, ud, 0, opcode, flags, fd, addr, len, timeoutNs);
  return t.sys.io_submit(port, sqe, 1);
}

// ---------------------------------------------------------------------------

/** Button → LED, heartbeat, loopback edge counter. */
class Panel {
  readonly task: Task;
  private readonly app: App;
  private readonly loop: IoLoop;
  private readonly sqe: number;
  private readonly ev: number[] = [];
  private readonly fds: number[] = [];
  private lastPressNs = -Infinity;

  constructor(app: App) {
    this.app = app;
    const b = app.board;
    const t = app.kernel.spawn({ name: "panel", memoryBytes: 2048 });
    this.task = t;
    const sys = t.sys;
    const port = sys.io_create(0);
    this.sqe = t.alloc(SUBMISSION_SIZE);
    this.loop = new IoLoop(t, port, 4, (ud, res, _op, flags) => this.done(ud, res, flags), (m) => app.log(m), true);
    for (let i = 0; i < 4; i++) this.ev.push(t.alloc(IRQ_EVENT_SIZE));
    if (b.led !== undefined) sys.gpio_write(b.led, 0);
    if (b.loopback !== undefined) sys.gpio_write(b.loopback.out, 0);
    if (b.button !== undefined) {
      const activeLow = b.buttonWiring?.active === 0;
      this.claim(UD_BUTTON, sys.irq_create(b.button, activeLow ? IRQ_FALLING : IRQ_RISING), `button pin ${b.button}`);
    }
    const period = (app.options.heartbeatMs ?? 1000) * 1e6;
    if (b.timers > 0) this.claim(UD_HEARTBEAT, sys.irq_create(IRQ_TIMER_BASE, IRQ_PERIODIC, period), "heartbeat timer");
    if (b.loopback !== undefined) this.claim(UD_LOOPBACK, sys.irq_create(b.loopback.in, IRQ_RISING | IRQ_FALLING), `loopback pin ${b.loopback.in}`);
    this.loop.start();
  }

  private claim(ud: number, fd: number, what: string): void {
    if (fd < 0) {
      this.app.log(`panel: ${what}: irq_create failed: ${errnoName(fd)}`);
      return;
    }
    this.fds[ud] = fd;
    this.arm(ud);
  }

  private arm(ud: number): void {
    const r = submit1(this.task, this.sqe, this.loop.port, ud, OP_IRQ_WAIT, this.fds[ud] as number, this.ev[ud] as number, IRQ_EVENT_SIZE, 0, IOSQE_MULTISHOT);
    if (r !== 1) this.app.log(`panel: arming line ${ud} failed: ${errnoName(r)}`);
  }

  private done(ud: number, res: number, flags: number): void {
    const app = this.app;
    const s = app.stats;
    if (res < 0) {
      if (res !== -ECANCELED) app.log(`panel: irq wait ${ud} failed: ${errnoName(res)}`);
      return;
    }
    if ((flags & IOCQE_F_MORE) === 0) {
      // the multishot arm ended without an error: arm the line again
      this.arm(ud);
      if (res === 0) return;
    }
    if (ud === UD_BUTTON) {
      const view = this.task.view;
      const evAddr = this.ev[ud] as number;
      const ts = view.getUint32(evAddr, true) + view.getUint32(evAddr + 4, true) * 4294967296;
      s.buttonEdges += res;
      const debounceNs = (app.options.debounceMs ?? 30) * 1e6;
      if (ts - this.lastPressNs >= debounceNs) {
        this.lastPressNs = ts;
        s.presses++;
        s.led ^= 1;
        if (app.board.led !== undefined) this.task.sys.gpio_write(app.board.led, s.led);
        app.events.led?.(s.led);
      } else {
        s.bounces++;
      }
      app.events.button?.(s.presses, s.buttonEdges);
    } else if (ud === UD_HEARTBEAT) {
      s.ticks += res;
      app.events.heartbeat?.(s.ticks);
    } else if (ud === UD_LOOPBACK) {
      s.loopbackEdges += res;
      app.events.loopback?.(s.loopbackEdges);
    }
  }

  stop(): void {
    this.loop.stop();
    this.task.exit();
  }
}

// ---------------------------------------------------------------------------

/** Serves pings: receives requests on its channel, answers on the send end passed in each. */
class Worker {
  readonly task: Task;
  private readonly app: App;
  private readonly loop: IoLoop | null = null;
  private readonly sqe: number;
  private readonly msg: number;
  private readonly reply: number;
  private recvFd = -1;
  served = 0;

  constructor(app: App) {
    this.app = app;
    const t = app.kernel.spawn({ name: "worker", memoryBytes: 2048 });
    this.task = t;
    const sys = t.sys;
    this.sqe = t.alloc(SUBMISSION_SIZE);
    this.msg = t.alloc(IPC_MESSAGE_SIZE);
    this.reply = t.alloc(IPC_MESSAGE_SIZE);
    const fdsOut = t.alloc(8);
    const r = sys.ipc_create(fdsOut, 4, 0);
    app.stats.ipc = r;
    if (r < 0) {
      app.log(`worker: ipc_create failed: ${errnoName(r)} (channels are not in this build)`);
      return;
    }
    const sendFd = t.view.getInt32(fdsOut, true);
    this.recvFd = t.view.getInt32(fdsOut + 4, true);
    const reg = sys.svc_register("worker", sendFd);
    if (reg < 0) {
      app.stats.ipc = reg;
      app.log(`worker: svc_register failed: ${errnoName(reg)}`);
      return;
    }
    sys.close(sendFd); // the registry keeps the send end alive for clients
    const port = sys.io_create(0);
    this.loop = new IoLoop(t, port, 4, (ud, res) => this.done(ud, res), (m) => app.log(m));
    this.arm();
    this.loop.start();
  }

  private arm(): void {
    const loop = this.loop as IoLoop;
    submit1(this.task, this.sqe, loop.port, UD_REQUEST, OP_IPC_RECV, this.recvFd, this.msg, IPC_MESSAGE_SIZE);
  }

  private done(ud: number, res: number): void {
    if (ud === UD_REPLY_SENT) {
      if (res < 0) this.app.log(`worker: reply failed: ${errnoName(res)}`);
      return;
    }
    if (res < 0) {
      if (res !== -ECANCELED) this.app.log(`worker: receive failed: ${errnoName(res)}`);
      return;
    }
    const view = this.task.view;
    const m = this.msg;
    const tag = view.getUint32(m, true);
    const replyFd = view.getInt32(m + 32, true);
    if (tag === TAG_PING && replyFd >= 0) {
      this.served++;
      const r = this.reply;
      view.setUint32(r, TAG_PONG, true);
      view.setUint32(r + 4, 0, true);
      view.setUint32(r + 8, view.getUint32(m + 8, true), true); // data[0]: the ping's sequence number
      view.setUint32(r + 12, 0, true);
      view.setUint32(r + 16, this.served, true); // data[1]: pings served
      view.setUint32(r + 20, 0, true);
      view.setUint32(r + 24, replyFd, true); // data[2]: the fd the reply end got here
      view.setUint32(r + 28, 0, true);
      for (let i = 0; i < 4; i++) view.setInt32(r + 32 + 4 * i, -1, true);
      const loop = this.loop as IoLoop;
      submit1(this.task, this.sqe, loop.port, UD_REPLY_SENT, OP_IPC_SEND, replyFd, r, IPC_MESSAGE_SIZE);
    }
    // the reply end was ours only for this answer (the message was copied at submit)
    if (replyFd >= 0) this.task.sys.close(replyFd);
    this.arm();
  }

  stop(): void {
    if (this.loop !== null) this.loop.stop();
    this.task.sys.svc_unregister("worker");
    this.task.exit();
  }
}

// ---------------------------------------------------------------------------

const HELP = [
  "commands:",
  "  help            this list",
  "  status          LED, button, heartbeat, loopback, IPC at a glance",
  "  irq             interrupt counts per line",
  "  uptime          time since the firmware started",
  "  led [on|off]    show or set the LED (the button toggles it)",
  "  loop            drive the loopback jumper 4 times, count the edges",
  "  ping            ask the worker task over a channel (reply end passed as an fd)",
  "keys: backspace, Ctrl-U (erase line), Ctrl-C (cancel line)",
];

/** The UART command shell. */
class Shell {
  readonly task: Task;
  private readonly app: App;
  private readonly loop: IoLoop | null = null;
  private readonly uart: number;
  private readonly sqe: number;
  private readonly rx: number;
  private readonly out: number;
  private readonly msg: number;
  private readonly pong: number;
  private readonly fdsOut: number;
  /** The command line read so far (a line longer than one read comes in parts). */
  private readonly line = new Uint8Array(LINE_MAX);
  private len = 0;
  /** The line being read outgrew LINE_MAX: it is reported when it ends, not run. */
  private tooLong = false;
  private workerFd = -1;
  private replyRecvFd = -1;
  private replySendFd = -1;
  private pingSeq = 0;
  private busy = false;
  /** Output dropped: more than PENDING_MAX bytes waiting, or the port had no free completion slot. */
  dropped = 0;
  /** Output waiting for the write in flight to finish. */
  private readonly pending = new Uint8Array(PENDING_MAX);
  private pendingLen = 0;
  private writing = false;

  constructor(app: App) {
    this.app = app;
    const t = app.kernel.spawn({ name: "shell", memoryBytes: 4096 });
    this.task = t;
    const sys = t.sys;
    this.sqe = t.alloc(SUBMISSION_SIZE);
    this.rx = t.alloc(READ_LEN);
    this.out = t.alloc(OUT_MAX);
    this.msg = t.alloc(IPC_MESSAGE_SIZE);
    this.pong = t.alloc(IPC_MESSAGE_SIZE);
    this.fdsOut = t.alloc(8);
    const path = app.board.console ?? "/dev/uart0";
    this.uart = sys.open(path, OPEN_TTY);
    if (this.uart < 0) {
      app.log(`shell: open ${path} failed: ${errnoName(this.uart)}`);
      return;
    }
    const port = sys.io_create(0);
    // io_watch: no io_wait_cb to make again after each wake-up (≈0.4 ms of XS on the Pico)
    this.loop = new IoLoop(t, port, 8, (ud, res) => this.done(ud, res), (m) => app.log(m), true);
    this.print(`\r\n${VERSION} on ${app.board.name} - type help\r\n${PROMPT}`);
    this.read();
    this.loop.start();
  }

  private read(): void {
    const loop = this.loop as IoLoop;
    submit1(this.task, this.sqe, loop.port, UD_READ, OP_READ, this.uart, this.rx, READ_LEN);
  }

  /**
   * Queues `text` (ASCII) for the UART. One OP_WRITE is in flight at a time
   * and everything printed meanwhile goes out together in the next one:
   * measured on the emulated Pico, each write costs a kernel pass of about
   * 2 ms in XS, so a command's output in several writes came 2 ms a chunk
   * later.
   */
  print(text: string): void {
    if (this.loop === null) return;
    const bytes = asciiBytes(text);
    const room = PENDING_MAX - this.pendingLen;
    const n = bytes.length <= room ? bytes.length : room;
    this.pending.set(n === bytes.length ? bytes : bytes.subarray(0, n), this.pendingLen);
    this.pendingLen += n;
    this.dropped += bytes.length - n;
    this.flushOutput();
  }

  /** Submits what is pending, up to OUT_MAX bytes, unless a write is in flight. */
  private flushOutput(): void {
    const loop = this.loop;
    if (loop === null || this.writing || this.pendingLen === 0) return;
    const n = Math.min(OUT_MAX, this.pendingLen);
    this.task.memory.set(this.pending.subarray(0, n), this.out); // OP_WRITE copies it at submit
    const r = submit1(this.task, this.sqe, loop.port, UD_WRITE, OP_WRITE, this.uart, this.out, n);
    this.pending.copyWithin(0, n, this.pendingLen);
    this.pendingLen -= n;
    if (r === 1) this.writing = true;
    else this.dropped += n;
  }

  private done(ud: number, res: number): void {
    const app = this.app;
    switch (ud) {
      case UD_READ:
        if (res < 0 && res !== -EOVERFLOW) {
          if (res !== -ECANCELED) app.log(`shell: read failed: ${errnoName(res)}`);
          return;
        }
        // The next read goes in before the command runs: measured on the
        // emulated Pico, an OP_READ submit costs ~1.4 ms of XS, and made
        // after the command's output it kept the main loop busy past the
        // prompt, so keys typed right after it waited that long to echo.
        this.read();
        if (res === -EOVERFLOW) {
          app.stats.overruns++;
          this.print("\r\n(input overrun: bytes were lost)\r\n" + PROMPT);
        } else {
          this.received(res);
        }
        return;
      case UD_WRITE:
        this.writing = false;
        if (res < 0 && res !== -ECANCELED) app.log(`shell: write failed: ${errnoName(res)}`);
        this.flushOutput();
        return;
      case UD_PING_SENT:
        // the worker holds its own reference now (transfer duplicates fds)
        if (this.replySendFd >= 0) this.task.sys.close(this.replySendFd);
        this.replySendFd = -1;
        if (res < 0) this.finishPing(`ping: send failed: ${errnoName(res)}`);
        return;
      case UD_PONG:
        this.pongArrived(res);
        return;
      case UD_LOOP_DONE: {
        const s = app.stats;
        const got = s.loopbackEdges - this.loopBase;
        this.busy = false;
        this.print(`loopback: ${loopVerdict(this.loopDriven, got, app.kernel.platform.devices?.gpio?.mergesEdges === true)}\r\n${PROMPT}`);
        return;
      }
    }
  }

  private loopBase = 0;
  private loopDriven = 0;

  /**
   * `n` bytes of a line arrived (terminal mode: the kernel edited and
   * echoed it). A line ends in "\n", or is the lone 0x03 of a Ctrl-C (the
   * kernel echoed "^C"): then the shell prompts again.
   */
  private received(n: number): void {
    const mem = this.task.memory;
    for (let i = 0; i < n; i++) {
      const c = mem[this.rx + i] as number;
      if (c === 0x03) {
        this.len = 0;
        this.tooLong = false;
        this.print(PROMPT);
      } else if (c === 0x0a) {
        const long = this.tooLong;
        const line = this.text();
        this.len = 0;
        this.tooLong = false;
        if (long) this.print(`line too long (over ${LINE_MAX} characters): not run\r\n${PROMPT}`);
        else this.execute(line);
      } else if (this.len < LINE_MAX) {
        this.line[this.len++] = c;
      } else {
        this.tooLong = true;
      }
    }
  }

  private text(): string {
    let s = "";
    for (let i = 0; i < this.len; i++) s += String.fromCharCode(this.line[i] as number);
    return s.trim();
  }

  private execute(line: string): void {
    const app = this.app;
    if (line === "") {
      this.print(PROMPT);
      return;
    }
    app.stats.commands++;
    app.events.command?.(line);
    if (this.busy) {
      this.print(`busy: the last command has not finished\r\n${PROMPT}`);
      return;
    }
    const words = line.split(/\s+/);
    const cmd = words[0];
    const s = app.stats;
    const b = app.board;
    switch (cmd) {
      case "help":
        this.print(HELP.join("\r\n") + "\r\n" + PROMPT);
        return;
      case "status":
        this.print(
          `board ${b.name}: led ${s.led ? "on" : "off"}, button presses ${s.presses}, heartbeat ${s.ticks}, ` +
            `loopback edges ${s.loopbackEdges}, commands ${s.commands}, ipc ${s.ipc === 0 ? "ok" : errnoName(s.ipc)}, ` +
            `pings ${s.pongs}/${s.pings}\r\n${PROMPT}`,
        );
        return;
      case "irq":
        this.print(
          (b.button !== undefined ? `  button   pin ${b.button}: ${s.buttonEdges} edges, ${s.presses} presses, ${s.bounces} bounces\r\n` : "") +
            (b.timers > 0 ? `  heartbeat timer 0x${IRQ_TIMER_BASE.toString(16)}: ${s.ticks} ticks\r\n` : "") +
            (b.loopback !== undefined ? `  loopback pin ${b.loopback.in}: ${s.loopbackEdges} edges\r\n` : "") +
            PROMPT,
        );
        return;
      case "uptime":
        this.print(`up ${formatDuration(app.kernel.now() - app.startedNs)}\r\n${PROMPT}`);
        return;
      case "led":
        if (words[1] === "on" || words[1] === "off") {
          s.led = words[1] === "on" ? 1 : 0;
          if (b.led !== undefined) this.task.sys.gpio_write(b.led, s.led);
          app.events.led?.(s.led);
        }
        this.print(`led ${s.led ? "on" : "off"}\r\n${PROMPT}`);
        return;
      case "loop":
        this.loopTest();
        return;
      case "ping":
        this.ping();
        return;
      default:
        this.print(`unknown command: ${cmd} (try help)\r\n${PROMPT}`);
    }
  }

  private loopTest(): void {
    const b = this.app.board;
    if (b.loopback === undefined) {
      this.print(`this board has no loopback pins\r\n${PROMPT}`);
      return;
    }
    const sys = this.task.sys;
    this.loopBase = this.app.stats.loopbackEdges;
    let level = sys.gpio_read(b.loopback.out);
    for (let i = 0; i < 4; i++) {
      level ^= 1;
      sys.gpio_write(b.loopback.out, level);
    }
    this.loopDriven = 4;
    this.app.stats.loopbackDriven += 4;
    this.busy = true;
    // let the edges through the interrupt path (57 µs each on a Pico) before counting
    submit1(this.task, this.sqe, (this.loop as IoLoop).port, UD_LOOP_DONE, OP_TIMEOUT, -1, 0, 0, 5_000_000);
  }

  private ping(): void {
    const app = this.app;
    const sys = this.task.sys;
    const view = this.task.view;
    if (this.workerFd < 0) {
      const fd = sys.svc_lookup("worker");
      if (fd < 0) {
        this.print(`ping: no worker (svc_lookup: ${errnoName(fd)}; channels need the IPC layer)\r\n${PROMPT}`);
        return;
      }
      this.workerFd = fd;
    }
    const r = sys.ipc_create(this.fdsOut, 1, 0);
    if (r < 0) {
      this.print(`ping: ipc_create failed: ${errnoName(r)}\r\n${PROMPT}`);
      return;
    }
    this.replySendFd = view.getInt32(this.fdsOut, true);
    this.replyRecvFd = view.getInt32(this.fdsOut + 4, true);
    this.lastReplySend = this.replySendFd;
    const m = this.msg;
    const seq = ++this.pingSeq;
    view.setUint32(m, TAG_PING, true);
    view.setUint32(m + 4, 0, true);
    for (let i = 8; i < 32; i += 4) view.setUint32(m + i, 0, true);
    view.setUint32(m + 8, seq, true);
    view.setInt32(m + 32, this.replySendFd, true);
    for (let i = 1; i < 4; i++) view.setInt32(m + 32 + 4 * i, -1, true);
    app.stats.pings++;
    this.busy = true;
    const port = (this.loop as IoLoop).port;
    writeSubmission(view, this.sqe, UD_PONG, 0, OP_IPC_RECV, 0, this.replyRecvFd, this.pong, IPC_MESSAGE_SIZE, 0);
    sys.io_submit(port, this.sqe, 1);
    submit1(this.task, this.sqe, port, UD_PING_SENT, OP_IPC_SEND, this.workerFd, m, IPC_MESSAGE_SIZE);
  }

  private pongArrived(res: number): void {
    const view = this.task.view;
    const p = this.pong;
    if (res < 0) {
      this.finishPing(`ping: no reply: ${errnoName(res)}`);
      return;
    }
    const seq = view.getUint32(p + 8, true);
    const served = view.getUint32(p + 16, true);
    const theirFd = view.getUint32(p + 24, true);
    this.app.stats.pongs++;
    this.finishPing(`pong #${seq} from worker (served ${served}; it answered on its fd ${theirFd}, passed from our fd ${this.lastReplySend})`);
  }

  private lastReplySend = -1;

  private finishPing(text: string): void {
    if (this.replyRecvFd >= 0) this.task.sys.close(this.replyRecvFd);
    this.replyRecvFd = -1;
    this.busy = false;
    this.print(`${text}\r\n${PROMPT}`);
  }

  stop(): void {
    if (this.loop !== null) this.loop.stop();
    this.task.exit();
  }
}

/** "1 h 02 min 03.456 s"-style uptime without Intl (XS-friendly). */
export function formatDuration(ns: number): string {
  const ms = Math.floor(ns / 1e6);
  const s = Math.floor(ms / 1000);
  const frac = String(ms % 1000).padStart(3, "0");
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, "0")} min ${String(sec).padStart(2, "0")}.${frac} s`;
  if (m > 0) return `${m} min ${String(sec).padStart(2, "0")}.${frac} s`;
  return `${sec}.${frac} s`;
}
