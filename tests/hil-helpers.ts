/** Shared by the `ioport hil` tests (not a test file): run the real CLI as a child process; write IOPL1 recordings. */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ioplLine, MODE_NAMES, type ModeName } from "../firmware/irq-latency/probe.js";

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

export interface RecordingSpec {
  /** Latencies (µs) per mode, in seq order. */
  samples: Partial<Record<ModeName, number[]>>;
  board?: string;
  clock?: string;
  /** Samples announced per mode; default: the longest list. */
  n?: number;
  /** Without a header line (the start of the stream missed). */
  noHeader?: boolean;
  /** Without an end line (the stream cut short). */
  noEnd?: boolean;
}

/** The text of an IOPL1 recording, every line with its checksum; the end line agrees with the samples. */
export function recording(spec: RecordingSpec): string {
  const modes = MODE_NAMES.filter((m) => spec.samples[m] !== undefined);
  const n = spec.n ?? Math.max(...modes.map((m) => (spec.samples[m] as number[]).length));
  const lines: string[] = [];
  if (!spec.noHeader) lines.push(`IOPL1 H board=${spec.board ?? "pico"} n=${n} modes=${modes.join(",")} clock=${spec.clock ?? "ioport/clock"} seed=1`);
  let edge = 1000;
  for (const m of modes) {
    (spec.samples[m] as number[]).forEach((lat, seq) => {
      lines.push(`IOPL1 S ${m} ${seq} ${lat} ${edge}`);
      edge += 5000;
    });
  }
  if (!spec.noEnd) {
    const counts = modes.map((m) => `${m}=${(spec.samples[m] as number[]).length}`);
    const all = modes.flatMap((m) => spec.samples[m] as number[]);
    lines.push(`IOPL1 E samples=${all.length} ${counts.join(" ")} lost=0 stray=0 sum=${all.reduce((a, b) => a + b, 0)}`);
  }
  return lines.map(ioplLine).join("\n") + "\n";
}
