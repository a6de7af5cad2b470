/**
 * `ioport firmware --board <name> [--flash] [--debug]`: builds the demo
 * firmware for a board and hands it to the Moddable SDK's `mcconfig`.
 *
 * 1. Checks that the Moddable SDK is set up — `$MODDABLE` names a directory
 *    and `mcconfig` is on PATH — and stops with what to install if not. It
 *    never downloads a toolchain.
 * 2. Bundles firmware/main with rollup into build/firmware/<board>/main.js
 *    (tools/firmware-build.ts).
 * 3. Runs, in the repository root:
 *      mcconfig -m -p <target> [-d] -t build|all -o build/moddable manifest.json
 *    `-t build` builds; `--flash` uses `-t all` (build, deploy, and for a
 *    debug build connect xsbug). Outputs go under build/moddable, not into
 *    the SDK.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { boardNames, loadBoard } from "../../host-sim/boards.js";
import { buildFirmwareBundle } from "../firmware-build.js";

const GETTING_STARTED =
  "the Moddable SDK Getting Started guide (\"Moddable SDK - Getting Started\" in the SDK's documentation/ folder, also on the Moddable website)";

const USAGE = `usage: ioport firmware --board <name> [--app main|irq-latency] [--modes a,b,c,d] [--flash] [--debug] [--bundle-only]

Builds the demo firmware for a board with the Moddable SDK (mcconfig).
  --board <name>   ${boardNames().join(", ")}
  --app <name>     main (the demo, default) or irq-latency (the probe of docs/hil.md)
  --modes a,b,c,d  the probe's modes, in order (--app irq-latency; default all four)
  --flash          also deploy it to the board (mcconfig -t all)
  --debug          a debug build (mcconfig -d), for xsbug
  --bundle-only    only write build/firmware/<board>/main.js (no SDK needed)
`;

interface Options {
  board: string;
  app: "main" | "irq-latency";
  flash: boolean;
  debug: boolean;
  bundleOnly: boolean;
  modes: string[] | null;
}

function parse(args: string[]): Options | string {
  const o: Options = { board: "", app: "main", flash: false, debug: false, bundleOnly: false, modes: null };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--board") o.board = args[++i] ?? "";
    else if (a?.startsWith("--board=")) o.board = a.slice(8);
    else if (a === "--app") {
      const v = args[++i];
      if (v !== "main" && v !== "irq-latency") return `ioport firmware: --app must be main or irq-latency, got "${v ?? ""}"`;
      o.app = v;
    } else if (a === "--modes" || a?.startsWith("--modes=")) {
      const v = a === "--modes" ? (args[++i] ?? "") : a.slice(8);
      const ms = v.split(",");
      if (!ms.every((m) => ["a", "b", "c", "d"].includes(m)) || new Set(ms).size !== ms.length) {
        return `ioport firmware: --modes takes distinct modes among a, b, c, d separated by commas, got "${v}"`;
      }
      o.modes = ms;
    } else if (a === "--flash") o.flash = true;
    else if (a === "--debug" || a === "-d") o.debug = true;
    else if (a === "--bundle-only") o.bundleOnly = true;
    else if (a === "--help" || a === "-h") return "";
    else return `ioport firmware: unknown option "${a}"`;
  }
  if (o.board === "") return "ioport firmware: --board <name> is required";
  if (o.modes !== null && o.app !== "irq-latency") return "ioport firmware: --modes is for --app irq-latency (the probe's modes)";
  return o;
}

/** The first `name` on PATH that is an executable file, or null. */
export function findOnPath(name: string, path = process.env.PATH ?? ""): string | null {
  for (const dir of path.split(delimiter)) {
    if (dir === "") continue;
    const p = join(dir, name);
    try {
      if (statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  return null;
}

/** What is missing of the Moddable SDK set-up, or null when it is usable. */
export function sdkProblem(env: NodeJS.ProcessEnv = process.env): string | null {
  const m = env.MODDABLE;
  const hostDir = process.platform === "darwin" ? "mac" : process.platform === "win32" ? "win" : "lin";
  if (m === undefined || m === "") {
    return `$MODDABLE is not set. Install the Moddable SDK and your board's toolchain following ${GETTING_STARTED}, then export MODDABLE=<the SDK's directory> and put $MODDABLE/build/bin/${hostDir}/release on PATH.`;
  }
  if (!existsSync(m) || !statSync(m).isDirectory()) {
    return `$MODDABLE is "${m}", which is not a directory. Point it at the Moddable SDK (see ${GETTING_STARTED}).`;
  }
  if (findOnPath("mcconfig", env.PATH) === null) {
    return `mcconfig is not on PATH. Build the Moddable SDK tools and add $MODDABLE/build/bin/${hostDir}/release to PATH, as ${GETTING_STARTED} describes.`;
  }
  return null;
}

/** The mcconfig arguments for a board (relative to the repository root, where mcconfig runs). */
export function mcconfigArgs(target: string, o: { flash: boolean; debug: boolean; app?: "main" | "irq-latency" }): string[] {
  const manifest = o.app === "irq-latency" ? join("firmware", "irq-latency", "manifest.json") : "manifest.json";
  return ["-m", "-p", target, ...(o.debug ? ["-d"] : []), "-t", o.flash ? "all" : "build", "-o", join("build", "moddable"), manifest];
}

/** The repository (package) root: where manifest.json and firmware/ are. */
export function packageRoot(): string {
  // dist/tools/commands/firmware.js → three levels up
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
}

export async function firmware(args: string[], root = packageRoot()): Promise<number> {
  const o = parse(args);
  if (typeof o === "string") {
    if (o !== "") process.stderr.write(`${o}\n\n`);
    (o === "" ? process.stdout : process.stderr).write(USAGE);
    return o === "" ? 0 : 2;
  }
  let board;
  try {
    board = loadBoard(o.board);
  } catch (e) {
    process.stderr.write(`ioport firmware: ${(e as Error).message.replace(/^ioport: /, "")}\n`);
    return 2;
  }
  if (!o.bundleOnly) {
    const problem = sdkProblem();
    if (problem !== null) {
      process.stderr.write(`ioport firmware: the Moddable SDK is needed to build firmware for ${board.name}.\n${problem}\n`);
      return 1;
    }
  }
  if (!board.moddable.io) {
    process.stderr.write(
      `ioport firmware: note: ${board.name} targets -p ${board.moddable.platform}, which has no ECMA-419 IO: this builds as a compile check and will not run there.\n`,
    );
  }
  let bundle: string;
  try {
    bundle = await buildFirmwareBundle(root, board.name, o.app, o.modes !== null ? { probeModes: o.modes } : {});
  } catch (e) {
    process.stderr.write(`ioport firmware: bundling firmware/${o.app} for ${board.name} failed:\n${(e as Error).message}\n`);
    return 1;
  }
  process.stdout.write(`ioport firmware: bundled ${bundle}\n`);
  if (o.bundleOnly) return 0;
  const args2 = mcconfigArgs(board.moddable.platform, o);
  process.stdout.write(`ioport firmware: (cd ${root} && mcconfig ${args2.join(" ")})\n`);
  mkdirSync(join(root, "build", "moddable"), { recursive: true }); // mcconfig -o wants an existing directory
  const r = spawnSync("mcconfig", args2, { cwd: root, stdio: "inherit", env: process.env });
  if (r.error) {
    process.stderr.write(`ioport firmware: could not run mcconfig: ${r.error.message}\n`);
    return 1;
  }
  if (r.status !== 0) {
    process.stderr.write(`ioport firmware: mcconfig failed (exit ${String(r.status ?? r.signal)})\n`);
    return 1;
  }
  return 0;
}
