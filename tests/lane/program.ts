/**
 * A random program for the native fast lane's differential test
 * (tests/lane-xs.test.ts), run in XS by the lane worker
 * (tools/xs/lane-worker.mjs): the kernel on a small host platform, GPIO
 * through the real CaptureGpio (drivers/moddable/capture.ts) and the real
 * lane C (irqcapture_lane.c) behind the simulated interrupt side of
 * irqcapture_host.c. The same program runs with the lanes offered and
 * without; everything user code can see — callbacks, the bytes the kernel
 * wrote, syscall results, errors — must be the same, and so must the
 * kernel's state at the end.
 *
 * Engine-neutral (ES2022, no host globals but the two the worker installs).
 */
import {
  IOCQE_F_MORE,
  IOSQE_MULTISHOT,
  IRQ_PERIODIC,
  IRQ_TIMER_BASE,
  KIND_PORT,
  Kernel,
  OP_IRQ_WAIT,
  OP_NOP,
  decodeCompletion,
  encodeSubmission,
  type Platform,
  type Port,
  type Task,
  type TimerCallback,
} from "../../core/index.js";
import { ModdableAlarms, type IrqAlarmClass } from "../../drivers/moddable/alarms.js";
import { CaptureGpio, type IrqCaptureClass } from "../../drivers/moddable/capture.js";
import { DigitalGpio } from "../../drivers/moddable/digital.js";
import type { DigitalClass, DigitalOptions } from "../../drivers/moddable/io-types.js";

export interface CaptureSim {
  isr(pin: number, level: number, us: number): void;
  pump(): number;
  setNow(us: number): void;
  laneBatches(): number;
  /** The earliest due time of the open alarms (µs), -1 for none. */
  alarmNext(): number;
  /** Runs the alarm ISR of every alarm due by `us`. */
  alarmFire(us: number): void;
}

type Buf = "none" | "aligned" | "odd";

export type Act =
  | { k: "arm"; line: number; port: number; multi: boolean; buf: Buf }
  | { k: "wait"; port: number; max: number; min: number; timeout: number; skew: number }
  | { k: "waitP"; port: number; max: number; min: number; skew: number }
  | { k: "watch"; port: number; max: number; skew: number }
  | { k: "unwatch"; port: number }
  | { k: "nop"; port: number; count: number }
  | { k: "cancel"; port: number; ud: number }
  | { k: "closeLine"; line: number }
  | { k: "closePort"; port: number }
  | { k: "edge"; pin: number };

export interface Reaction {
  again: boolean;
  acts: Act[];
  throws: boolean;
}

export type Stim = { k: "edge"; pin: number; n: number; pump: boolean } | { k: "pump" } | { k: "advance"; us: number } | { k: "sys"; act: Act };

export interface LaneProgram {
  cq: number;
  ports: number;
  /** GPIO lines (pin, edges) and at most one periodic timer line (period in µs). */
  pins: { pin: number; flags: number }[];
  timerUs: number;
  /**
   * With entries: the timer line runs on a (simulated) hardware alarm
   * (ModdableAlarms, IrqAlarm), whose ISR runs these many µs after each due
   * time in turn (a late ISR counts every due time it passed); empty: the
   * kernel's own timers.
   */
  alarmLateUs: number[];
  init: Act[];
  reactions: Reaction[];
  stim: Stim[];
}

const REACTION_BUDGET = 60;

/** ECMA-419 Digital at the hardware boundary: only outputs and plain reads go through it here, and none are used. */
class NoDigital {
  static readonly Input = 0;
  static readonly InputPullUp = 1;
  static readonly InputPullDown = 2;
  static readonly Output = 3;
  static readonly Rising = 1;
  static readonly Falling = 2;
  constructor(_o: DigitalOptions) {}
  read(): number {
    return 0;
  }
  write(_v: number): void {}
  close(): void {}
}

/** Timers in (time, order) order on a microsecond clock, as a board's would be. */
class HostPlatform implements Platform {
  us = 1000;
  private seq = 0;
  private readonly events: { at: number; seq: number; cb: TimerCallback; arg: unknown }[] = [];
  devices: Platform["devices"];

  /** ISR latencies after each due time, cycled (LaneProgram.alarmLateUs). */
  private late: number[] = [];
  private lateAt = 0;

  constructor(private readonly sim: CaptureSim) {
    sim.setNow(this.us);
  }

  alarmLatencies(late: number[]): void {
    this.late = late;
  }
  now(): number {
    return this.us * 1000;
  }
  schedule(atNs: number, cb: TimerCallback, arg: unknown): number {
    const e = { at: atNs, seq: ++this.seq, cb, arg };
    let i = this.events.length;
    while (i > 0 && (this.events[i - 1] as { at: number }).at > atNs) i--;
    this.events.splice(i, 0, e);
    return e.seq;
  }
  cancel(handle: number): void {
    const i = this.events.findIndex((e) => e.seq === handle);
    if (i >= 0) this.events.splice(i, 1);
  }
  /** Advances to `us`, running the timers and the alarm ISRs due on the way, each at its own time. */
  advance(us: number): void {
    const end = this.us + us;
    for (let guard = 0; ; guard++) {
      if (guard > 100000) throw new Error(`HostPlatform.advance: no progress at ${this.us} (alarm due ${this.sim.alarmNext()}, ${this.events.length} timers, first at ${this.events[0]?.at})`);
      const e = this.events[0];
      const due = this.late.length > 0 ? this.sim.alarmNext() : -1;
      const isr = due < 0 ? -1 : Math.max(this.us, due + (this.late[this.lateAt % this.late.length] as number));
      const et = e === undefined ? -1 : Math.ceil(e.at / 1000);
      if (isr >= 0 && isr <= end && (et < 0 || isr < et)) {
        // an alarm's ISR: it latches and posts; the main loop delivers at the next pump
        this.lateAt++;
        this.us = isr;
        this.sim.setNow(isr);
        this.sim.alarmFire(isr);
        continue;
      }
      if (e === undefined || e.at > end * 1000) break;
      this.events.shift();
      if (et > this.us) this.us = et;
      this.sim.setNow(this.us);
      e.cb(e.arg, this.now());
    }
    this.us = end;
    this.sim.setNow(end);
  }
}

function hex(t: Task, addr: number, len: number): string {
  let s = "";
  for (let i = 0; i < len; i++) s += ((t.memory[addr + i] as number) | 0x100).toString(16).slice(1);
  return s;
}

/** Runs `p` (lanes offered or not); returns what user code and the kernel's end state showed. */
export async function runLaneProgram(p: LaneProgram, lanes: boolean): Promise<string[]> {
  const g = globalThis as unknown as { IrqCapture: IrqCaptureClass; IrqAlarm: IrqAlarmClass; IrqCaptureSim: CaptureSim };
  const sim = g.IrqCaptureSim;
  const platform = new HostPlatform(sim);
  const gpio = new CaptureGpio(g.IrqCapture, new DigitalGpio(NoDigital as unknown as DigitalClass, 32, () => platform.now()), () => platform.us);
  gpio.lanes = lanes;
  const alarms = p.alarmLateUs.length > 0 ? new ModdableAlarms(g.IrqAlarm, () => platform.us) : null;
  if (alarms !== null) alarms.lanes = lanes;
  platform.alarmLatencies(p.alarmLateUs);
  platform.devices = { gpio, timers: 1, serial: [], spi: [], ...(alarms !== null ? { alarms } : {}) };
  const log: string[] = [];
  const k = new Kernel(platform, { cqEntries: p.cq, onUserError: (err) => log.push(`userError ${String(err)}`) });
  const t = k.spawn({ memoryBytes: 8192 });
  const sys = t.sys;
  const sqe = t.alloc(48 * 3);
  const outs = [t.alloc(4 * 24 + 8), t.alloc(4 * 24 + 8)];
  const evPool = t.alloc(4 * 24);
  const poll = t.alloc(64 * 24);
  const areaStart = outs[0] as number;
  const areaLen = evPool + 4 * 24 - areaStart;
  const ports: number[] = [];
  for (let i = 0; i < p.ports; i++) ports.push(sys.io_create(0));
  const lines = p.pins.map((l) => sys.irq_create(l.pin, l.flags));
  if (p.timerUs > 0) lines.push(sys.irq_create(IRQ_TIMER_BASE, IRQ_PERIODIC, p.timerUs * 1000));
  log.push(`setup ports=${ports.join(",")} lines=${lines.join(",")} alarm=${k.dev.lines.get(IRQ_TIMER_BASE)?.onAlarm === true}`);
  const levels = new Map<number, number>();

  let ud = 0;
  let nopUd = 1000;
  let evNext = 0;
  let calls = 0;
  let done = false;
  let nowDepth = 0;
  const portAt = (i: number): number => ports[i % ports.length] as number;
  const lineAt = (i: number): number => lines[i % lines.length] as number;
  const armed = new Map<number, Extract<Act, { k: "arm" }>>();

  const react = (tag: string, out: number, n: number, wait: Extract<Act, { k: "wait" | "waitP" }> | null): void => {
    if (done) return; // a chain of waits after the task's exit (-EPERM at once) would run on into the next program
    const i = calls++;
    log.push(`cb#${i} ${tag} n=${n} cqes=${n > 0 ? hex(t, out, n * 24) : "-"} area=${hex(t, areaStart, areaLen)}`);
    if (i >= REACTION_BUDGET) return;
    const r = p.reactions[i % p.reactions.length] as Reaction;
    if (r.again) {
      for (let j = 0; j < n; j++) {
        const c = decodeCompletion(t.view, out + 24 * j);
        const arm = armed.get(Number(c.userData));
        if (arm !== undefined && c.result > 0 && (c.flags & IOCQE_F_MORE) === 0) exec(arm);
      }
      if (wait !== null && n >= 0) exec(wait);
    }
    for (const a of r.acts) exec(a);
    if (r.throws) throw new Error(`thrown by cb#${i}`);
  };

  const edge = (pinIndex: number): void => {
    const pin = (p.pins[pinIndex % Math.max(1, p.pins.length)] ?? { pin: 3 }).pin;
    const to = (levels.get(pin) ?? 0) ^ 1;
    levels.set(pin, to);
    log.push(`edge ${pin}=${to} @${platform.us}`);
    sim.isr(pin, to, platform.us);
  };

  const exec = (a: Act): void => {
    switch (a.k) {
      case "arm": {
        const bufAddr = a.buf === "none" ? 0 : evPool + 24 * (evNext++ % 4) + (a.buf === "odd" ? 1 : 0);
        encodeSubmission(t.view, sqe, { userData: ++ud, opcode: OP_IRQ_WAIT, flags: a.multi ? IOSQE_MULTISHOT : 0, fd: lineAt(a.line), bufAddr, bufLen: bufAddr === 0 ? 0 : 16 });
        armed.set(ud, a);
        log.push(`arm ud=${ud} -> ${sys.io_submit(portAt(a.port), sqe, 1)}`);
        break;
      }
      case "wait": {
        const port = portAt(a.port);
        const out = (outs[a.port % ports.length] as number) + a.skew;
        const r = sys.io_wait_cb(port, out, a.max, a.min, a.timeout * 1000, (n) => react(`wait${port}`, out, n, a));
        log.push(`wait -> ${r}`);
        // satisfied at once: handled as if called back, a few levels deep at
        // most (a reaction that waits again recurses; XS's stack is small)
        if (r > 0 && nowDepth < 8) {
          nowDepth++;
          try {
            react(`wait${port}-now`, out, r, a);
          } catch (err) {
            log.push(`caught ${String(err)}`);
          } finally {
            nowDepth--;
          }
        }
        break;
      }
      case "waitP": {
        const port = portAt(a.port);
        const out = (outs[a.port % ports.length] as number) + a.skew;
        log.push(`waitP`);
        void sys.io_wait(port, out, a.max, a.min, 0).then((n) => {
          try {
            react(`waitP${port}`, out, n, a);
          } catch (err) {
            log.push(`caught ${String(err)}`);
          }
        });
        break;
      }
      case "watch": {
        const port = portAt(a.port);
        const out = (outs[a.port % ports.length] as number) + a.skew;
        log.push(`watch -> ${sys.io_watch(port, out, a.max, (n) => react(`watch${port}`, out, n, null))}`);
        break;
      }
      case "unwatch":
        log.push(`unwatch -> ${sys.io_unwatch(portAt(a.port))}`);
        break;
      case "nop":
        for (let j = 0; j < a.count; j++) encodeSubmission(t.view, sqe + 48 * j, { userData: ++nopUd, opcode: OP_NOP });
        log.push(`nop -> ${sys.io_submit(portAt(a.port), sqe, a.count)}`);
        break;
      case "cancel":
        log.push(`cancel -> ${sys.io_cancel(portAt(a.port), a.ud)}`);
        break;
      case "closeLine":
        log.push(`closeLine -> ${sys.close(lineAt(a.line))}`);
        break;
      case "closePort":
        log.push(`closePort -> ${sys.close(portAt(a.port))}`);
        break;
      case "edge":
        // an interrupt while user code runs: latched by the ISR, delivered at the next pump
        edge(a.pin);
        break;
    }
  };

  /** Lets promise continuations run (io_wait's), as the board's main loop does between messages. */
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 4; i++) await null;
  };

  for (const a of p.init) exec(a);
  await settle();
  for (const s of p.stim) {
    if (s.k === "edge") {
      for (let i = 0; i < s.n; i++) edge(s.pin);
      if (s.pump) log.push(`pump ${sim.pump()}`);
    } else if (s.k === "pump") log.push(`pump ${sim.pump()}`);
    else if (s.k === "advance") {
      log.push(`advance ${s.us}`);
      platform.advance(s.us);
    } else exec(s.act);
    await settle();
  }
  log.push(`pump ${sim.pump()}`);
  await settle();

  // the end state (checkInvariants takes any lane back first)
  k.checkInvariants();
  for (const fd of ports) {
    const obj = t.get(fd);
    if (obj !== null && obj.kind === KIND_PORT) {
      const port = obj as Port;
      log.push(`port ${fd} count=${port.count} reserved=${port.reserved} waitMode=${port.waitMode} starved=${port.starved?.length ?? 0}`);
    } else log.push(`port ${fd} closed`);
  }
  for (const line of k.dev.lines.values()) {
    const latch = line.pending > 0 ? ` level=${line.level} first=${line.firstNs}` : "";
    log.push(`line ${line.line} pending=${line.pending} total=${line.total}${latch} arms=${line.arms.length}`);
  }
  log.push(`live=${k.liveObjects} opsAllocated=${k.opsAllocated} userCalls=${k.userCalls}`);
  for (const fd of ports) {
    log.push(`final unwatch -> ${sys.io_unwatch(fd)}`);
    const n = sys.io_wait_cb(fd, poll, 64, 0, 0, () => {});
    log.push(`final poll -> ${n} ${n > 0 ? hex(t, poll, n * 24) : ""}`);
  }
  log.push(`area=${hex(t, areaStart, areaLen)}`);
  t.exit();
  // continuations of the waits the exit ended may still raise edges (their captures are closed by now)
  await settle();
  sim.pump();
  log.push(`live after exit=${k.liveObjects}`);
  done = true;
  return log;
}

/** Runs each program with lanes and without; returns the first difference of each that differs, and how many batches the lanes delivered. */
export async function compareLanes(
  programs: LaneProgram[],
): Promise<{ differ: { index: number; at: number; on: string; off: string }[]; laneBatches: number; gpioInterrupts: number; alarmInterrupts: number }> {
  const sim = (globalThis as unknown as { IrqCaptureSim: CaptureSim }).IrqCaptureSim;
  const differ: { index: number; at: number; on: string; off: string }[] = [];
  const before = sim.laneBatches();
  let gpioInterrupts = 0;
  let alarmInterrupts = 0;
  for (let i = 0; i < programs.length; i++) {
    const p = programs[i] as LaneProgram;
    const off = await runLaneProgram(p, false);
    const on = await runLaneProgram(p, true);
    // the interrupts the kernel counted on GPIO lines (timer lines are 256 and up)
    const onAlarm = (off[0] ?? "").endsWith("alarm=true");
    for (const l of off) {
      const m = /^line (\d+) .*total=(\d+)/.exec(l);
      if (m !== null && Number(m[1]) < 256) gpioInterrupts += Number(m[2]);
      else if (m !== null && onAlarm) alarmInterrupts += Number(m[2]);
    }
    const n = Math.max(on.length, off.length);
    for (let j = 0; j < n; j++) {
      if (on[j] !== off[j]) {
        differ.push({ index: i, at: j, on: on[j] ?? "(end)", off: off[j] ?? "(end)" });
        break;
      }
    }
  }
  return { differ, laneBatches: sim.laneBatches() - before, gpioInterrupts, alarmInterrupts };
}

