/** Shared by the `ioport hil` process tests (not a test file): run the real CLI as a child process. */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const CLI = `${ROOT}tools/bin/ioport.js`;

export function requireBuild(): void {
  if (!existsSync(`${ROOT}dist/tools/cli.js`)) {
    throw new Error("dist/tools/cli.js is missing: the CLI tests run the built CLI; run `npm run build` (npm test does)");
  }
}

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `ioport <args>`; `done` resolves when it exits. */
export function startCli(args: string[], stdin?: string): { child: ChildProcess; done: Promise<Result>; stderrSoFar: () => string } {
  requireBuild();
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  if (stdin !== undefined) child.stdin!.end(stdin);
  const done = new Promise<Result>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done, stderrSoFar: () => stderr };
}

export function runCli(args: string[], stdin?: string): Promise<Result> {
  return startCli(args, stdin).done;
}
