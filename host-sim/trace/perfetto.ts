/**
 * PerfettoTrace: records syscalls, operations (submit → complete → reap) and
 * interrupts as Chrome trace-event JSON, which Perfetto (ui.perfetto.dev,
 * "Open trace file") and chrome://tracing display. One track per task, one
 * for interrupts. Timestamps are the simulator's virtual time, so the same
 * seed gives a byte-identical file.
 *
 * Every operation is a slice (an async b/e pair) from submit to completion;
 * one that has not completed when the trace is written — still in flight,
 * or dropped with its port (a closed port posts nothing) — is ended at the
 * trace's last moment with `result: "none"`, so no slice is left open.
 */
import { errnoName } from "../../core/errno.js";
import type { Op } from "../../core/op.js";
import type { Task } from "../../core/task.js";
import type { KernelTracer } from "../../core/trace.js";
import type { SimUart } from "../devices/uart.js";

const OPCODE_NAMES = ["NOP", "TIMEOUT", "READ", "WRITE", "IRQ_WAIT", "IPC_SEND", "IPC_RECV", "RING_WAIT", "TRANSFER"];

export function opcodeName(opcode: number): string {
  return OPCODE_NAMES[opcode] ?? `OP#${opcode}`;
}

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  pid: number;
  tid: number;
  id?: string;
  s?: string;
  args?: Record<string, unknown>;
}

const IRQ_TID = 0;
/** UART byte tracks: UART_TID_BASE + 2·i (rx) and + 1 (tx), clear of task ids. */
const UART_TID_BASE = 100000;

function fmtArg(v: unknown): unknown {
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "function") return "fn";
  if (v instanceof Promise) return "promise";
  return v;
}

function ud(op: Op): string {
  return op.udHi === 0 ? String(op.udLo) : `${op.udHi}:${op.udLo}`;
}

export class PerfettoTrace implements KernelTracer {
  readonly events: TraceEvent[] = [];
  private readonly taskNames = new Map<number, string>();
  private readonly threadNames = new Map<number, string>();
  /** Operations submitted and not yet completed: seq → name and track (an Op object is reused once dropped, so not the Op). */
  private readonly open = new Map<number, { name: string; tid: number }>();

  constructor(private readonly now: () => number) {}

  private ts(): number {
    return this.now() / 1000; // trace-event time is µs; fractional keeps ns
  }

  private track(task: Task | null): number {
    if (task === null) return IRQ_TID;
    if (!this.taskNames.has(task.id)) this.taskNames.set(task.id, task.name);
    return task.id;
  }

  syscall(task: Task, name: string, args: readonly unknown[], result: unknown): void {
    const r = typeof result === "number" ? result : fmtArg(result);
    this.events.push({
      name,
      cat: "syscall",
      ph: "i",
      s: "t",
      ts: this.ts(),
      pid: 1,
      tid: this.track(task),
      args: { args: args.map(fmtArg), result: typeof r === "number" && r < 0 ? `${r} (${errnoName(r)})` : r },
    });
  }

  submit(op: Op): void {
    this.open.set(op.seq, { name: opcodeName(op.opcode), tid: this.track(op.task) });
    this.events.push({
      name: opcodeName(op.opcode),
      cat: "op",
      ph: "b",
      id: `op${op.seq}`,
      ts: this.ts(),
      pid: 1,
      tid: this.track(op.task),
      args: { user_data: ud(op), fd: op.fd, buf_len: op.bufLen },
    });
  }

  complete(op: Op): void {
    this.open.delete(op.seq);
    this.events.push({
      name: opcodeName(op.opcode),
      cat: "op",
      ph: "e",
      id: `op${op.seq}`,
      ts: this.ts(),
      pid: 1,
      tid: this.track(op.task),
      args: { result: op.result < 0 ? `${op.result} (${errnoName(op.result)})` : op.result },
    });
  }

  reap(op: Op): void {
    this.events.push({
      name: `reap ${opcodeName(op.opcode)}`,
      cat: "reap",
      ph: "i",
      s: "t",
      ts: this.ts(),
      pid: 1,
      tid: this.track(op.task),
      args: { user_data: ud(op), result: op.result },
    });
  }

  irq(line: number, now: number, level: number): void {
    this.events.push({ name: `irq ${line}`, cat: "irq", ph: "i", s: "t", ts: now / 1000, pid: 1, tid: IRQ_TID, args: { line, level } });
  }

  /**
   * Records the bytes on each simulated UART's RX and TX lines as instant
   * events on a track per line (`uart0 rx`, ...), at the time each byte's
   * frame completes. Chains to an observer already attached (a VCD).
   */
  attachUarts(uarts: readonly SimUart[]): void {
    uarts.forEach((u, i) => {
      const prev = u.observer;
      const rxTid = UART_TID_BASE + 2 * i;
      const txTid = rxTid + 1;
      this.threadNames.set(rxTid, `${u.path} rx`);
      this.threadNames.set(txTid, `${u.path} tx`);
      u.observer = {
        rx: (byte, start, end, fe) => {
          prev?.rx(byte, start, end, fe);
          this.byteEvent(rxTid, byte, end, fe);
        },
        tx: (byte, start, end) => {
          prev?.tx(byte, start, end);
          this.byteEvent(txTid, byte, end, false);
        },
      };
    });
  }

  private byteEvent(tid: number, byte: number, at: number, fe: boolean): void {
    const ch = byte >= 0x20 && byte < 0x7f ? JSON.stringify(String.fromCharCode(byte)) : `0x${byte.toString(16).padStart(2, "0")}`;
    const args: Record<string, unknown> = { byte };
    if (fe) args.framingError = true;
    this.events.push({ name: ch, cat: "uart", ph: "i", s: "t", ts: at / 1000, pid: 1, tid, args });
  }

  /** The trace as a JSON string, stable for a given run. */
  toJSON(): string {
    const meta: TraceEvent[] = [
      { name: "process_name", cat: "__metadata", ph: "M", ts: 0, pid: 1, tid: 0, args: { name: "ioport kernel" } },
      { name: "thread_name", cat: "__metadata", ph: "M", ts: 0, pid: 1, tid: IRQ_TID, args: { name: "interrupts" } },
    ];
    for (const [id, name] of [...this.taskNames].sort((a, b) => a[0] - b[0])) {
      meta.push({ name: "thread_name", cat: "__metadata", ph: "M", ts: 0, pid: 1, tid: id, args: { name } });
    }
    for (const [tid, name] of this.threadNames) {
      meta.push({ name: "thread_name", cat: "__metadata", ph: "M", ts: 0, pid: 1, tid, args: { name } });
    }
    const end = Math.max(this.ts(), this.events.length > 0 ? (this.events[this.events.length - 1] as TraceEvent).ts : 0);
    const unended: TraceEvent[] = [...this.open].map(([seq, { name, tid }]) => ({
      name,
      cat: "op",
      ph: "e",
      id: `op${seq}`,
      ts: end,
      pid: 1,
      tid,
      args: { result: "none", why: "not completed when the trace was written (in flight, or dropped with its port)" },
    }));
    const lines = [...meta, ...this.events, ...unended].map((e) => JSON.stringify(e));
    return `{"displayTimeUnit":"ns","traceEvents":[\n${lines.join(",\n")}\n]}\n`;
  }
}
