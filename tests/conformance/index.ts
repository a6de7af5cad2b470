/**
 * The conformance corpus: one module of cases per spec area, each
 * default-exporting a `ConformanceCase[]`. Adding a file of cases is one line
 * here. Suites run in the alphabetical order of these export names (module
 * namespace order), cases in file order.
 */
export { default as abi } from "./abi.js";
export { default as api } from "./api.js";
export { default as deviceOpen } from "./device-open.js";
export { default as exit } from "./exit.js";
export { default as fastPath } from "./fast-path.js";
export { default as fd } from "./fd.js";
export { default as ioCancel } from "./io-cancel.js";
export { default as ioSubmit } from "./io-submit.js";
export { default as ioWait } from "./io-wait.js";
export { default as ioWaitCb } from "./io-wait-cb.js";
export { default as ipc } from "./ipc.js";
export { default as irq } from "./irq.js";
export { default as notify } from "./notify.js";
export { default as ordering } from "./ordering.js";
export { default as portClose } from "./port-close.js";
export { default as registry } from "./registry.js";
export { default as simulator } from "./simulator.js";
export { default as spi } from "./spi.js";
export { default as timeout } from "./timeout.js";
export { default as tty } from "./tty.js";
export { default as uart } from "./uart.js";
