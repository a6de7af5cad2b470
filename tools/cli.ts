/**
 * `ioport` command line: dispatches to the subcommands. Each subcommand
 * returns an exit code; errors name the problem and the fix.
 */
const USAGE = `usage: ioport <command> [options]

commands:
  start            run the demo firmware on the simulated board
  hil              interrupt latency: analyse the irq-latency probe (board or --sim)
  help             show this help
`;

export type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  hil: async (args) => (await import("./commands/hil.js")).hil(args),
  help: async () => {
    process.stdout.write(USAGE);
    return 0;
  },
};

export async function main(argv: string[]): Promise<number> {
  const [name = "help", ...rest] = argv;
  const cmd = COMMANDS[name];
  if (cmd === undefined) {
    process.stderr.write(`ioport: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  return cmd(rest);
}
