/** drivers/moddable: the Platform for Moddable XS (ECMA-419 IO). See platform.ts. */
export { ModdablePlatform, type ModdablePlatformOptions } from "./platform.js";
export { DigitalGpio, type DigitalGpioOptions } from "./digital.js";
export { CaptureGpio, type IrqCaptureClass } from "./capture.js";
export { ModdableAlarms, type IrqAlarmClass } from "./alarms.js";
export { NativeSource, batchFirstNs, type IrqCaptureObject, type BatchCallback } from "./native.js";
export { ModdableSerial } from "./serial.js";
export { ModdableSpi } from "./spi.js";
export { ModdableTimers } from "./timers.js";
export { Step, KEEP_ALIVE_MS } from "./step.js";
export type * from "./io-types.js";
