/**
 * The opcode table, indexed by opcode (spec §4). A constant built once:
 * Moddable freezes module state at preload, and nothing here changes.
 */
import type { OpHandler } from "./handler.js";
import { opRead, opTransfer, opWrite } from "./device.js";
import { opIpcRecv, opIpcSend, opRingWait } from "./ipc.js";
import { opIrqWait } from "./irq.js";
import { opNop } from "./nop.js";
import { opTimeout } from "./timeout.js";

export type { OpHandler } from "./handler.js";

export const OPCODE_HANDLERS: readonly OpHandler[] = [
  opNop, // OP_NOP 0
  opTimeout, // OP_TIMEOUT 1
  opRead, // OP_READ 2
  opWrite, // OP_WRITE 3
  opIrqWait, // OP_IRQ_WAIT 4
  opIpcSend, // OP_IPC_SEND 5
  opIpcRecv, // OP_IPC_RECV 6
  opRingWait, // OP_RING_WAIT 7
  opTransfer, // OP_TRANSFER 8 (ioport extension)
];
