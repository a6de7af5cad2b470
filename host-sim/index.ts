/** ioport/host-sim — the host simulator (spec §8). */
export { Simulator, SimPlatform, type SimulatorOptions, type RunOptions } from "./simulator.js";
export { Prng } from "./prng.js";
export { EventQueue } from "./event-queue.js";
export { loadBoard, boardNames, type BoardSpec } from "./boards.js";
export { settle } from "./settle.js";
