/**
 * The kernel's bookkeeping, stated as code: `checkInvariants(kernel)` walks
 * every port, op, device, line, channel and fd table and returns what does
 * not hold (empty when all is well). Kernel.checkInvariants throws on a
 * non-empty answer. DST runs it after every step of its workload; the
 * differential and property tests after every action.
 *
 * It holds between kernel entries (no syscall, event or flush running);
 * inside one, some of it is briefly false by design (a cancel cascade's
 * given-back bytes wait in a ring while reads are pending, say).
 *
 * What it checks (docs/design.md, "Invariants"):
 * - ports: count <= reserved <= capacity, and reserved = count + in flight;
 *   the in-flight list is consistent
 *   (length, links, each op in flight on this port); queued slots hold
 *   queued ops;
 * - an idle kernel has an empty wake list (the interrupt fast path,
 *   objects/direct.ts, relies on it) and no cancel cascade open;
 * - every in-flight op is on exactly one queue — a device's, a line's, a
 *   notify's, a channel's — or holds a timer (OP_TIMEOUT) and is on none;
 *   queues hold only in-flight ops of live ports or blocked callers, and a
 *   device queue only ops of live streams;
 * - reference counts: each live object's count equals the fd-table slots,
 *   registry entries and message slots (queued, parked, awaiting reap) that
 *   name it; closed objects are out of the live set; the message records in
 *   use are exactly those queued, parked or awaiting reap;
 * - IRQ lines: each claimed line is live and registered under its number;
 *   latched interrupts wait only when no arm can take them (no arm, or a
 *   multishot arm whose port is full and has the line on its retry list);
 * - UART: only the oldest read holds bytes; a read is pending only while the
 *   ring is empty; the transmitting write is the oldest; the transmitter
 *   carries a write or terminal echo, never both, and is busy while either
 *   waits. SPI: the active
 *   transfer is the oldest. Notify: a latch only while nothing is armed.
 *
 * Not on any hot path: it allocates freely (Maps, arrays) and is O(state).
 */
import { OP_IRQ_WAIT, OP_TIMEOUT } from "./constants.js";
import type { Kernel } from "./kernel.js";
import type { Channel, RecvEnd, SendEnd } from "./objects/channel.js";
import type { DeviceStream } from "./objects/device.js";
import type { IrqLine } from "./objects/irq.js";
import type { Msg } from "./objects/message.js";
import type { NotifyObject } from "./objects/notify.js";
import { KIND_DEVICE, KIND_IRQ, KIND_NAMES, KIND_NOTIFY, KIND_PORT, KIND_RECV, KIND_SEND, type KernelObject } from "./objects/object.js";
import type { Port } from "./objects/port.js";
import { OP_INFLIGHT, OP_QUEUED, type Op, type OpQueue } from "./op.js";

export function checkInvariants(kernel: Kernel): string[] {
  const bad: string[] = [];
  const name = (o: KernelObject): string => `${KIND_NAMES[o.kind] ?? "object"} #${o.id}`;

  // ---- the kernel at rest ----
  if (kernel.depth !== 0 || kernel.flushing) bad.push(`kernel not idle: depth ${kernel.depth}, flushing ${kernel.flushing}`);
  if (kernel.wakeCount !== 0) bad.push(`idle kernel has ${kernel.wakeCount} port(s) in its wake list`);
  if (kernel.holding !== 0) bad.push(`idle kernel has ${kernel.holding} cancel cascade(s) open`);

  // ---- ports and the ops they know ----
  /** Every in-flight op a port or the blocked-caller set knows. */
  const inflight = new Set<Op>();
  const liveObjects = kernel.objects;
  for (const o of liveObjects) {
    if (o.closed) bad.push(`${name(o)} is closed but still in the live set`);
    if (o.refs <= 0) bad.push(`${name(o)} is live with ${o.refs} references`);
    if (o.kind !== KIND_PORT) continue;
    const p = o as Port;
    if (p.reserved > p.capacity) bad.push(`${name(p)}: reserved ${p.reserved} > capacity ${p.capacity}`);
    if (p.count > p.reserved) bad.push(`${name(p)}: queued ${p.count} > reserved ${p.reserved}`);
    // at rest every reserved slot is a queued completion or an op in flight
    if (p.count + p.inflight !== p.reserved) bad.push(`${name(p)}: queued ${p.count} + in flight ${p.inflight} != reserved ${p.reserved}`);
    let n = 0;
    let prev: Op | null = null;
    for (let op = p.inflightHead; op !== null; op = op.pNext) {
      n++;
      if (op.pPrev !== prev) bad.push(`${name(p)}: in-flight list link broken at op ${op.seq}`);
      if (op.state !== OP_INFLIGHT || !op.linked || op.port !== p) bad.push(`${name(p)}: op ${op.seq} on its in-flight list is not in flight on it (state ${op.state})`);
      if (inflight.has(op)) bad.push(`${name(p)}: op ${op.seq} twice on in-flight lists`);
      inflight.add(op);
      prev = op;
      if (n > p.capacity) {
        bad.push(`${name(p)}: in-flight list longer than the port's capacity (a cycle?)`);
        break;
      }
    }
    if (prev !== p.inflightTail) bad.push(`${name(p)}: in-flight tail is not the list's last op`);
    if (n !== p.inflight) bad.push(`${name(p)}: in-flight count ${p.inflight}, list holds ${n}`);
    for (let i = 0; i < p.count; i++) {
      const slot = p.ring[(p.head + i) % p.capacity];
      if (slot !== null && slot !== undefined && isOp(slot) && (slot.state !== OP_QUEUED || slot.port !== p)) {
        bad.push(`${name(p)}: queued slot ${i} holds op ${slot.seq} in state ${slot.state}`);
      }
    }
  }
  const ipc = kernel.ipc;
  if (ipc !== null) {
    for (const op of ipc.blocked) {
      if (op.state !== OP_INFLIGHT || op.waiter === null || op.port !== null) bad.push(`blocked ipc caller op ${op.seq} is not a port-less op in flight`);
      inflight.add(op);
    }
  }

  // ---- queues: every in-flight op on exactly one ----
  const onQueue = new Map<Op, string>();
  const queue = (q: OpQueue, where: string, live: (op: Op) => string | null): void => {
    let n = 0;
    let prev: Op | null = null;
    for (let op = q.head; op !== null; op = op.qNext) {
      n++;
      if (op.qPrev !== prev) bad.push(`${where}: queue link broken at op ${op.seq}`);
      prev = op;
      const other = onQueue.get(op);
      if (other !== undefined) bad.push(`op ${op.seq} is on two queues: ${other} and ${where}`);
      onQueue.set(op, where);
      if (!inflight.has(op)) bad.push(`${where}: op ${op.seq} (state ${op.state}) is not in flight on a live port nor a blocked caller`);
      const why = live(op);
      if (why !== null) bad.push(`${where}: op ${op.seq} ${why}`);
      if (n > 1_000_000) break;
    }
    if (prev !== q.tail || n !== q.length) bad.push(`${where}: queue length ${q.length} / tail disagree with its ${n} links`);
  };
  const streamLive = (op: Op): string | null => {
    const s = op.target as DeviceStream | null;
    if (s === null || s.closed || s.kind !== KIND_DEVICE) return "belongs to no live stream";
    return null;
  };

  for (const u of kernel.dev.uarts) {
    queue(u.reads, `${u.path} reads`, streamLive);
    queue(u.writes, `${u.path} writes`, streamLive);
    for (let op = u.reads.head; op !== null; op = op.qNext) {
      if (op !== u.reads.head && op.dataLen !== 0) bad.push(`${u.path}: read op ${op.seq} holds ${op.dataLen} bytes but is not the oldest read`);
    }
    if (u.reads.head !== null && u.rxCount !== 0) bad.push(`${u.path}: a read is pending while ${u.rxCount} bytes wait in the ring`);
    if (u.rxCount > u.rx.length || u.rxCount < 0) bad.push(`${u.path}: ring count ${u.rxCount} outside [0, ${u.rx.length}]`);
    if (u.txActive !== null && u.txActive !== u.writes.head) bad.push(`${u.path}: the transmitting write is not the oldest`);
    if (u.txActive === null && u.txEcho === 0 && u.writes.head !== null) bad.push(`${u.path}: writes queued with the transmitter idle`);
    if (u.txActive !== null && u.txEcho !== 0) bad.push(`${u.path}: a write and terminal echo transmitting at once`);
    if (u.tty !== null && u.tty.echoCount !== 0 && u.txEcho === 0 && u.txActive === null) bad.push(`${u.path}: echo waits with the transmitter idle`);
    if (u.deferred) bad.push(`${u.path}: still waiting for a cancel cascade to end`);
  }
  for (const b of kernel.dev.spis) {
    queue(b.queue, `${b.path} transfers`, streamLive);
    if (b.active !== b.queue.head) bad.push(`${b.path}: the active transfer is not the oldest queued`);
    if (b.deferred) bad.push(`${b.path}: still waiting for a cancel cascade to end`);
  }

  const channels = new Set<Channel>();
  for (const o of liveObjects) {
    if (o.kind === KIND_IRQ) {
      const line = o as IrqLine;
      if (kernel.dev.lines.get(line.line) !== line) bad.push(`${name(line)}: line ${line.line} is not registered to it`);
      queue(line.arms, `irq line ${line.line} arms`, (op) => (op.opcode !== OP_IRQ_WAIT ? "is not an OP_IRQ_WAIT" : op.target !== line ? "does not target its line" : null));
      const head = line.arms.head;
      if (line.pending > 0 && head !== null) {
        const port = head.port as Port;
        if (!head.multishot) bad.push(`irq line ${line.line}: ${line.pending} interrupts latched with a one-shot arm waiting`);
        else if (port.reserved < port.capacity || port.starved === null || port.starved.indexOf(line) < 0) {
          bad.push(`irq line ${line.line}: ${line.pending} interrupts latched while its multishot arm's port has room or no retry queued`);
        }
      }
    } else if (o.kind === KIND_NOTIFY) {
      const nt = o as NotifyObject;
      queue(nt.arms, `${name(nt)} arms`, () => null);
      if (nt.latched && nt.arms.length !== 0) bad.push(`${name(nt)}: latched with arms waiting`);
    } else if (o.kind === KIND_SEND || o.kind === KIND_RECV) {
      channels.add((o as SendEnd | RecvEnd).channel);
    }
  }
  for (const [n, line] of kernel.dev.lines) {
    if (line.closed || !liveObjects.has(line)) bad.push(`irq line ${n} is claimed by a closed line object`);
  }
  let chanNo = 0;
  for (const ch of channels) {
    chanNo++;
    queue(ch.senders, `channel ${chanNo} senders`, (op) => (op.msg === null ? "is a parked send with no message" : null));
    queue(ch.receivers, `channel ${chanNo} receivers`, () => null);
    if (ch.receivers.length !== 0 && (ch.count !== 0 || ch.senders.length !== 0)) bad.push(`channel ${chanNo}: receivers wait while messages or senders do`);
    if (ch.count > ch.capacity) bad.push(`channel ${chanNo}: ${ch.count} messages queued, capacity ${ch.capacity}`);
  }
  for (const op of inflight) {
    if (!onQueue.has(op) && !(op.opcode === OP_TIMEOUT && op.timer !== 0)) bad.push(`op ${op.seq} (opcode ${op.opcode}) is in flight on no queue and holds no timer`);
    if (onQueue.has(op) && op.timer !== 0) bad.push(`op ${op.seq} is on a queue and holds a timer`);
  }

  // ---- reference counts ----
  const held = new Map<KernelObject, number>();
  const add = (o: KernelObject): void => {
    held.set(o, (held.get(o) ?? 0) + 1);
  };
  for (const t of kernel.tasks) for (const o of t.fds) if (o !== null) add(o);
  for (const o of kernel.services.values()) add(o);
  const addMsg = (m: Msg | null): void => {
    if (m === null) return;
    let n = 0;
    for (const o of m.objs) {
      if (o === null) continue;
      add(o);
      n++;
    }
    if (n !== m.nobjs) bad.push(`a message counts ${m.nobjs} objects and holds ${n}`);
  };
  const msgs = new Set<Msg>();
  const countMsg = (m: Msg | null): void => {
    if (m === null) return;
    if (msgs.has(m)) bad.push("a message record is held in two places");
    msgs.add(m);
    addMsg(m);
  };
  for (const op of inflight) countMsg(op.msg);
  for (const o of liveObjects) {
    if (o.kind !== KIND_PORT) continue;
    const p = o as Port;
    for (let i = 0; i < p.count; i++) {
      const slot = p.ring[(p.head + i) % p.capacity];
      if (slot !== null && slot !== undefined && isOp(slot)) countMsg(slot.msg);
    }
  }
  for (const ch of channels) ch.forEachQueued(countMsg);
  if (ipc !== null && ipc.msgsLive !== msgs.size) bad.push(`${ipc.msgsLive} message records in use, ${msgs.size} queued, parked or awaiting reap`);
  for (const o of liveObjects) {
    const n = held.get(o) ?? 0;
    if (n !== o.refs) bad.push(`${name(o)}: ${o.refs} references counted, ${n} held (fd tables, registry, messages)`);
  }
  for (const o of held.keys()) if (o.closed || !liveObjects.has(o)) bad.push(`${name(o)} is closed but still held`);
  return bad;
}

function isOp(slot: object): slot is Op {
  return (slot as Op).seq !== undefined;
}
