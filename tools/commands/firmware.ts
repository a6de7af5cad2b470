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
import { bundlePath, buildFirmwareBundle } from "../firmware-build.js";
import { parseArgs } from "../lib/args.js";
import { bare, RunError, UsageError } from "../lib/command.js";
import { checkOutput } from "../lib/output.js";

const GETTING_STARTED =
  "the Moddable SDK Getting Started guide (\"Moddable SDK - Getting Started\" in the SDK's documentation/ folder, also on the Moddable website)";

export const usage = `usage: ioport firmware --board <name> [--app main|irq-latency] [--modes a,b,c,d] [--flash] [--debug] [--bundle-only]

Builds the demo firmware for a board with the Moddable SDK (mcconfig).
  --board <name>   ${boardNames().join(", ")}
  --app <name>     main (the demo, default) or irq-latency (the probe of docs/hil.md)
  --modes a,b,c,d  the probe's modes, in order (--app irq-latency; default all four)
  --flash          also deploy it to the board (mcconfig -t all)
  --debug          a debug build (mcconfig -d), for xsbug
  --bundle-only    only write the bundle, build/firmware/<board>/main.js in the
                   package's folder (no SDK needed)

exit: 0 built, 1 the SDK is missing or the bundle or mcconfig failed,
      2 a bad option or board
`;

interface Options {
  board: string;
  app: "main" | "irq-latency";
  flash: boolean;
  debug: boolean;
  bundleOnly: boolean;
  modes: string[] | null;
}

function parse(args: string[]): Options {
  const p = parseArgs(args, ["board", "app", "modes"], ["flash", "debug", "bundle-only"]);
  if (p.positionals.length > 0) throw new UsageError(`unexpected argument "${p.positionals[0]}"`);
  const board = p.values.get("board");
  if (board === undefined || board === "") throw new UsageError(`--board <name> is required (boards: ${boardNames().join(", ")})`);
  if (!boardNames().includes(board)) throw new UsageError(`unknown board "${board}" (boards: ${boardNames().join(", ")})`);
  const app = p.values.get("app") ?? "main";
  if (app !== "main" && app !== "irq-latency") throw new UsageError(`--app must be main or irq-latency, got "${app}"`);
  const m = p.values.get("modes");
  let modes: string[] | null = null;
  if (m !== undefined) {
    if (app !== "irq-latency") throw new UsageError("--modes is for --app irq-latency (the probe's modes)");
    modes = m.split(",");
    if (!modes.every((x) => ["a", "b", "c", "d"].includes(x)) || new Set(modes).size !== modes.length) {
      throw new UsageError(`--modes takes distinct modes among a, b, c, d separated by commas, got "${m}"`);
    }
  }
  return { board, app, flash: p.flags.has("flash"), debug: p.flags.has("debug"), bundleOnly: p.flags.has("bundle-only"), modes };
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

export async function run(args: string[], root = packageRoot()): Promise<number> {
  const o = parse(args);
  let board;
  try {
    board = loadBoard(o.board);
  } catch (e) {
    throw new UsageError(bare(e));
  }
  if (!o.bundleOnly) {
    const problem = sdkProblem();
    if (problem !== null) {
      throw new RunError(`the Moddable SDK is needed to build firmware for ${board.name}. ${problem}`);
    }
  }
  if (!board.moddable.io) {
    process.stderr.write(
      `ioport firmware: note: ${board.name} targets -p ${board.moddable.platform}, which has no ECMA-419 IO: this builds as a compile check and will not run there.\n`,
    );
  }
  checkOutput("the bundle", bundlePath(root, board.name, o.app));
  let bundle: string;
  try {
    bundle = await buildFirmwareBundle(root, board.name, o.app, o.modes !== null ? { probeModes: o.modes } : {});
  } catch (e) {
    throw new RunError(`bundling firmware/${o.app} for ${board.name} failed:\n${(e as Error).message}`);
  }
  process.stdout.write(`ioport firmware: wrote ${bundle}\n`);
  if (o.bundleOnly) return 0;
  const args2 = mcconfigArgs(board.moddable.platform, o);
  process.stdout.write(`ioport firmware: (cd ${root} && mcconfig ${args2.join(" ")})\n`);
  mkdirSync(join(root, "build", "moddable"), { recursive: true }); // mcconfig -o wants an existing directory
  const r = spawnSync("mcconfig", args2, { cwd: root, stdio: "inherit", env: process.env });
  if (r.error) {
    throw new RunError(`could not run mcconfig: ${r.error.message}`);
  }
  if (r.status !== 0) {
    throw new RunError(`mcconfig failed (exit ${String(r.status ?? r.signal)})`);
  }
  process.stdout.write(`ioport firmware: mcconfig wrote its build under ${join(root, "build", "moddable")}\n`);
  return 0;
}
