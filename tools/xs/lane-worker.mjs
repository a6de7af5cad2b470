// The native fast lane's host build: xsnap-worker relinked (relink.mjs)
// with drivers/moddable/irqcapture/irqcapture_lane.c — the very C the
// boards build — and irqcapture_host.c, a simulated interrupt side, so the
// lane's C runs under the tests on any machine that could install
// @agoric/xsnap (tests/lane-xs.test.ts). Built into build/xs-lane/
// (gitignored) on first use.
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { relinkWorker } from "./relink.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const capture = join(root, "drivers", "moddable", "irqcapture");

/** Builds (if needed) the lane worker: { path } or { error }. */
export function buildLaneWorker() {
  const hook = "\tmodInstallBase64(the);\n";
  return relinkWorker({
    dir: "xs-lane",
    name: "xsnap-worker-lane",
    sources: [join(capture, "irqcapture_lane.c"), join(capture, "irqcapture_host.c")],
    includes: [capture],
    patch: (text) =>
      !text.includes(hook)
        ? null
        : text
            .replace(hook, `${hook}\tioportInstallIrqCapture(the);\n`)
            .replace("extern void modInstallBase64(xsMachine *the);", "extern void modInstallBase64(xsMachine *the);\nextern void ioportInstallIrqCapture(xsMachine *the);"),
  });
}
