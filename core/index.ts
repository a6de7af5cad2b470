/**
 * ioport — the kernel core: the package's `ioport` entry point (spec §8).
 * Runs unchanged in Node and in XS: ES2022, no host globals.
 */
export * from "./constants.js";
export * from "./errno.js";
export * from "./abi.js";
export { Kernel, type KernelOptions, type Resumable } from "./kernel.js";
export { checkInvariants } from "./invariants.js";
export { Task, type SpawnOptions } from "./task.js";
export type { Syscalls } from "./sys/index.js";
export type { Platform, TimerCallback } from "./platform.js";
export type { BoardSpec, BoardUart, BoardSpi, BoardModdable, BoardButtonWiring } from "./board.js";
export type {
  PlatformDevices,
  GpioBackend,
  IrqSink,
  IrqLane,
  AlarmBackend,
  SerialBackend,
  SerialSink,
  SpiBackend,
  SpiSink,
} from "./devices.js";
export { IrqLine } from "./objects/irq.js";
export { DeviceStream, DeviceTable, type Device } from "./objects/device.js";
export { UartDevice } from "./objects/uart.js";
export { SpiBus } from "./objects/spi.js";
export type { KernelTracer } from "./trace.js";
export { KernelObject, KIND_PORT, KIND_IRQ, KIND_DEVICE, KIND_SEND, KIND_RECV, KIND_NOTIFY, KIND_NAMES } from "./objects/object.js";
export { Port } from "./objects/port.js";
export type { Op } from "./op.js";
export { Channel, SendEnd, RecvEnd, IPC_MAX_CAPACITY } from "./objects/channel.js";
export { NotifyObject } from "./objects/notify.js";
export { IpcState, registryHeld } from "./objects/ipc-state.js";
export { utf8Length } from "./sys/ipc.js";
/** The ergonomic API (also the package entry `ioport/api`). */
export * as api from "./api/index.js";
