/**
 * `ioport` command line: `--help`/`-h`, `--version`, `help <command>`, and
 * the table of commands. Adding a command is one entry in COMMANDS: a
 * one-line summary and the module, which exports `usage` (its help text) and
 * `run(args)` (tools/lib/command.ts: the exit codes and the errors a command
 * throws for them).
 */
import { readFileSync } from "node:fs";
import { EXIT_OK, EXIT_USAGE, runCommand, type CommandModule } from "./lib/command.js";

interface Entry {
  summary: string;
  load: () => Promise<CommandModule>;
}

const COMMANDS: Record<string, Entry> = {
  start: { summary: "run the demo firmware on the simulated board", load: () => import("./commands/start.js") },
  sim: { summary: "run a scenario (JSON or a JS/TS module) on the simulated board", load: () => import("./commands/sim.js") },
  dst: { summary: "deterministic simulation testing: seeds of random workloads and faults", load: () => import("./commands/dst.js") },
  firmware: { summary: "build the demo firmware for a board with the Moddable SDK", load: () => import("./commands/firmware.js") },
  hil: { summary: "interrupt latency: analyse the irq-latency probe (board or --sim)", load: () => import("./commands/hil.js") },
  emu: { summary: "run a Pico firmware image on an emulated RP2040 (rp2040js); --probe for latency", load: () => import("./commands/emu.js") },
};

/** The commands, in the order the help lists them. */
export function commandNames(): string[] {
  return Object.keys(COMMANDS);
}

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length)) + 2;
  const lines = Object.entries(COMMANDS).map(([name, e]) => `  ${name.padEnd(width)}${e.summary}`);
  return `usage: ioport <command> [options]

commands:
${lines.join("\n")}

  ioport help <command>, ioport <command> --help   a command's options
  ioport --version                                 the installed version

exit codes: 0 success, 1 a failed or incomplete run, 2 a usage error
`;
}

function version(): string {
  // dist/tools/cli.js → the package root
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

function lookup(name: string): Entry | undefined {
  return Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
}

function unknown(name: string): number {
  process.stderr.write(`ioport: unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(", ")}; ioport --help shows them)\n`);
  return EXIT_USAGE;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || (name === "help" && rest.length === 0)) {
    process.stdout.write(usage());
    return EXIT_OK;
  }
  if (name === "--version" || name === "-V") {
    process.stdout.write(`ioport ${version()}\n`);
    return EXIT_OK;
  }
  if (name === "help") {
    if (rest.length > 1) {
      process.stderr.write(`ioport help: one command at a time (got ${rest.join(" ")})\n`);
      return EXIT_USAGE;
    }
    const entry = lookup(rest[0] as string);
    if (entry === undefined) return unknown(rest[0] as string);
    process.stdout.write((await entry.load()).usage);
    return EXIT_OK;
  }
  const entry = lookup(name);
  if (entry === undefined) return unknown(name);
  return runCommand(name, await entry.load(), rest);
}
