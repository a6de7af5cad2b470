/** ioport/host-sim — the host simulator (spec §8). */
export { Simulator, SimPlatform, SimPin, type SimulatorOptions, type RunOptions } from "./simulator.js";
export { Prng } from "./prng.js";
export { EventQueue, type EventSource } from "./event-queue.js";
export { loadBoard, boardNames, checkBoard, type BoardSpec } from "./boards.js";
export { validate as validateJsonSchema, type JsonSchema } from "./json-schema.js";
export { settle } from "./settle.js";
export { SimGpio, type LatencyModel } from "./devices/gpio.js";
export { SimUart } from "./devices/uart.js";
export { SimSpi, type SpiDevice, type SimSpiBusInfo } from "./devices/spi.js";
export * from "./devices/spi-flash.js";
export { type UartLineObserver } from "./devices/uart.js";
export { PerfettoTrace, opcodeName } from "./trace/perfetto.js";
export { SummaryTracer, type TaskSummary } from "./trace/summary.js";
export { FanoutTracer } from "./trace/fanout.js";
export { VcdRecorder, vcdCode, type VcdOptions } from "./trace/vcd.js";
export { validateScenario, parseDuration, ScenarioError, MAX_DURATION_NS, type Scenario, type TaskContext, type TaskFn, type TaskSpec, type Stimulus } from "./scenario/schema.js";
export { runScenario, applyStimulus, type ScenarioResult, type ScenarioRunOptions, type TaskOutcome } from "./scenario/run.js";
