/**
 * The conformance corpus: one module of cases per spec area, each
 * default-exporting a `ConformanceCase[]`. Adding a file of cases is one line
 * here. Suites run in the alphabetical order of these export names (module
 * namespace order), cases in file order.
 */
export { default as abi } from "./abi.js";
export { default as fd } from "./fd.js";
export { default as ioCancel } from "./io-cancel.js";
export { default as ioSubmit } from "./io-submit.js";
export { default as ioWait } from "./io-wait.js";
export { default as ioWaitCb } from "./io-wait-cb.js";
export { default as ordering } from "./ordering.js";
export { default as portClose } from "./port-close.js";
export { default as simulator } from "./simulator.js";
export { default as timeout } from "./timeout.js";
