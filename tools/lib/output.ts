/**
 * Output files of the commands (traces, waveforms, reports, recordings).
 * `checkOutput` runs before the work starts, so a path that cannot be
 * written is a usage error in the first second, not a crash after the run:
 * missing parent folders are created (as `mkdir -p`), and the path must not
 * be a directory nor sit under a file. `writeOutput` writes at the end and
 * says where; a write that still fails (a full disk) is a RunError, exit 1.
 */
import { accessSync, constants, mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { RunError, UsageError } from "./command.js";

/** Checks that `path` (given with option `option`) can be written; throws UsageError naming the problem. */
export function checkOutput(option: string, path: string): void {
  if (path === "") throw new UsageError(`${option} needs a file path`);
  const abs = resolve(path);
  try {
    if (statSync(abs).isDirectory()) throw new UsageError(`${option} ${path}: is a directory; give a file path (e.g. ${path.replace(/\/?$/, "/out")}${extension(option)})`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    // does not exist yet: fine
  }
  const dir = dirname(abs);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === "ENOTDIR" || (e as NodeJS.ErrnoException).code === "EEXIST" ? "a part of it is a file, not a folder" : (e as Error).message;
    throw new UsageError(`${option} ${path}: cannot write there (${why}); give a path in a writable folder`);
  }
}

function extension(option: string): string {
  return option === "--vcd" ? ".vcd" : option === "--svg" ? ".svg" : option === "--html" ? ".html" : option === "--record" ? ".txt" : ".json";
}

/** Writes `text` to `path` (checked before with checkOutput); throws RunError if the write fails. */
export function writeOutput(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw new RunError(`could not write ${path}: ${(e as Error).message}`);
  }
}
