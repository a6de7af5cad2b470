/**
 * What every `ioport` command shares: the exit codes, the two errors a
 * command throws for them, and the one place that turns a command's outcome
 * into a message and an exit code (`runCommand`). A command module exports
 * `usage` (its help text) and `run(args)`; tools/cli.ts lists the modules.
 *
 * Exit codes (README "Command line"):
 *   0  success
 *   1  a failed or incomplete run (a task threw, a seed failed, a stream was
 *      damaged, a build failed, an output could not be written)
 *   2  usage: a bad option, value, board, scenario or input file, named in
 *      one line with the fix
 */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** A mistake on the command line or in an input file: one line, exit 2. */
export class UsageError extends Error {}

/** A run that could not finish (an output not written, a tool that failed): one line, exit 1. */
export class RunError extends Error {}

export interface CommandModule {
  /** The help text `--help`, `-h` and `ioport help <command>` print. */
  usage: string;
  /** Runs the command; returns its exit code, or throws UsageError / RunError. */
  run(args: string[]): Promise<number>;
}

/** True when `args` asks for help (`--help` or `-h` before a `--`). */
export function wantsHelp(args: readonly string[]): boolean {
  for (const a of args) {
    if (a === "--") return false;
    if (a === "--help" || a === "-h") return true;
  }
  return false;
}

/** Error text without the `ioport: ` prefix some library errors carry (the command adds its own). */
export function bare(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/^ioport: /, "");
}

/**
 * Runs `cmd` as `ioport <name>`: help on `--help`/`-h`, and every thrown
 * UsageError / RunError as one line `ioport <name>: ...` on stderr with its
 * exit code. Anything else thrown is a bug: its stack, and exit 1.
 */
export async function runCommand(name: string, cmd: CommandModule, args: string[]): Promise<number> {
  if (wantsHelp(args)) {
    process.stdout.write(cmd.usage);
    return EXIT_OK;
  }
  try {
    return await cmd.run(args);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`ioport ${name}: ${e.message} (see ioport ${name} --help)\n`);
      return EXIT_USAGE;
    }
    if (e instanceof RunError) {
      process.stderr.write(`ioport ${name}: ${e.message}\n`);
      return EXIT_FAILED;
    }
    process.stderr.write(`ioport ${name}: internal error (please report it): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT_FAILED;
  }
}
