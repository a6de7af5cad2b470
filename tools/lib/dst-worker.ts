/**
 * One worker thread of `ioport dst --jobs N` (tools/lib/dst-pool.ts): runs
 * each seed it is sent and posts the SeedResult back.
 */
import { parentPort, workerData } from "node:worker_threads";
import { runSeed } from "../../host-sim/dst/index.js";
import type { PoolRequest, SeedOptions } from "./dst-pool.js";

const options = workerData as SeedOptions;
const port = parentPort;
if (port === null) throw new Error("ioport: tools/lib/dst-worker runs as a worker thread of `ioport dst --jobs N`");
// one seed at a time, in the order sent
let chain: Promise<void> = Promise.resolve();
port.on("message", (m: PoolRequest) => {
  chain = chain.then(async () => {
    port.postMessage(await runSeed(m.seed, options));
  });
});
