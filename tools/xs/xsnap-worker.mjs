// A minimal driver of the XS engine binary that @agoric/xsnap builds at
// install (xsnap-worker, XS 13.3). It speaks the worker's netstring protocol
// on fds 3 (to XS) and 4 (from XS) directly, so the harness needs neither
// SES nor the @endo stack that the package's own JS API loads:
//   to XS:   "e<script>" evaluate, then run promise jobs and setImmediate
//            timers until idle; "q" quit.
//   from XS: "?<bytes>" a query from the script's issueCommand(ArrayBuffer),
//            answered with "/<bytes>"; "." + meter + "\x01" + reply: the
//            evaluation finished; "!<message>": it threw.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Path of the xsnap-worker binary built by @agoric/xsnap's install script. */
export function xsnapWorkerPath() {
  const pkgMain = fileURLToPath(import.meta.resolve("@agoric/xsnap"));
  const platform = { linux: "lin", darwin: "mac" }[process.platform];
  if (platform === undefined) throw new Error(`xsnap-worker: no XS build for platform ${process.platform}`);
  const bin = join(dirname(pkgMain), "..", "xsnap-native", "xsnap", "build", "bin", platform, "release", "xsnap-worker");
  if (!existsSync(bin)) {
    throw new Error(
      `xsnap-worker: ${bin} does not exist. @agoric/xsnap builds it from source when it is installed (needs cc and make); ` +
        `run "npm rebuild @agoric/xsnap" (or "npm ci") with a C toolchain present.`,
    );
  }
  return bin;
}

function netstring(buf) {
  return Buffer.concat([Buffer.from(`${buf.length}:`), buf, Buffer.from(",")]);
}

/**
 * Starts a worker. `onQuery(bytes: Buffer)` receives each issueCommand
 * payload (its return value, a Buffer or string, is the reply). `onStdout`
 * and `onStderr` receive text.
 */
export function startWorker({ onQuery, onStdout = () => {}, onStderr = () => {}, name = "ioport-conformance" } = {}) {
  const bin = xsnapWorkerPath();
  const child = spawn(bin, [name], {
    stdio: ["ignore", "pipe", "pipe", "pipe", "pipe", "ignore", "ignore", "ignore", "ignore"],
  });
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stdout.on("data", onStdout);
  child.stderr.on("data", onStderr);
  const toXs = child.stdio[3];
  const fromXs = child.stdio[4];
  // the worker may die while we write; the exit handler reports that
  toXs.on("error", () => {});

  const exited = new Promise((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", (err) => resolve({ code: null, signal: null, error: err }));
  });

  let pending = null; // { resolve, reject } of the current evaluate
  let buf = Buffer.alloc(0);
  fromXs.on("data", (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      const colon = buf.indexOf(0x3a);
      if (colon < 0) return;
      const len = Number(buf.subarray(0, colon).toString("latin1"));
      if (!Number.isInteger(len) || len < 0) {
        pending?.reject(new Error(`xsnap protocol error: bad netstring length "${buf.subarray(0, colon)}"`));
        child.kill();
        return;
      }
      if (buf.length < colon + 2 + len) return;
      const msg = buf.subarray(colon + 1, colon + 1 + len);
      buf = buf.subarray(colon + 2 + len);
      const kind = msg[0];
      if (kind === 0x3f /* ? */) {
        let reply;
        try {
          reply = onQuery ? onQuery(msg.subarray(1)) : undefined;
        } catch (err) {
          reply = undefined;
          pending?.reject(err);
        }
        const body = reply === undefined ? Buffer.alloc(0) : Buffer.from(reply);
        toXs.write(netstring(Buffer.concat([Buffer.from("/"), body])));
      } else if (kind === 0x2e /* . */) {
        const sep = msg.indexOf(1);
        const p = pending;
        pending = null;
        p?.resolve({ reply: sep < 0 ? msg.subarray(1) : msg.subarray(sep + 1), meter: sep < 0 ? null : msg.subarray(1, sep).toString() });
      } else if (kind === 0x21 /* ! */) {
        const p = pending;
        pending = null;
        p?.reject(new Error(`uncaught exception in XS: ${msg.subarray(1).toString()}`));
      } else {
        pending?.reject(new Error(`xsnap protocol error: unknown message ${JSON.stringify(msg.toString())}`));
        child.kill();
      }
    }
  });

  return {
    child,
    exited,
    /** Evaluates a script; resolves when XS is idle again (promise jobs and setImmediate timers drained). */
    evaluate(script) {
      if (pending) throw new Error("xsnap-worker: one evaluate at a time");
      return new Promise((resolve, reject) => {
        pending = { resolve, reject };
        exited.then(({ code, signal }) => {
          if (pending) {
            pending = null;
            reject(new Error(`the XS engine exited during evaluation (code ${code}, signal ${signal})`));
          }
        });
        toXs.write(netstring(Buffer.concat([Buffer.from("e"), Buffer.from(script, "utf8")])));
      });
    },
    /** Asks the worker to quit; resolves with its exit status. */
    quit() {
      toXs.write(netstring(Buffer.from("q")));
      toXs.end();
      return exited;
    },
    kill() {
      child.kill("SIGKILL");
    },
  };
}
