/**
 * An opcode handler runs once per accepted entry, after the flags and
 * opcode checks. The op is already in flight on its port: the handler either
 * completes it at once (`kernel.complete`) or leaves it in flight with a
 * `cancelHook` and arranges for its target to complete it later.
 */
import type { Kernel } from "../kernel.js";
import type { Op } from "../op.js";
import type { Task } from "../task.js";

export type OpHandler = (kernel: Kernel, op: Op, task: Task) => void;
