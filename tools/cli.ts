/**
 * `ioport` command line: dispatches to the subcommands. Each subcommand
 * returns an exit code; errors name the problem and the fix.
 */
const USAGE = `usage: ioport <command> [options]

commands:
  start            run the demo firmware on the simulated board
  sim <scenario>   run a scenario (JSON or a JS/TS module) on the simulated board
  dst              deterministic simulation testing: seeds of random workloads and faults
  firmware         build the demo firmware for a board with the Moddable SDK (--board <name> [--flash])
  hil              interrupt latency: analyse the irq-latency probe (board or --sim)
  emu <image.uf2>  run a Pico firmware image on an emulated RP2040 (rp2040js); --probe for latency
  help             show this help
`;

export type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  sim: async (args) => (await import("./commands/sim.js")).sim(args),
  dst: async (args) => (await import("./commands/dst.js")).dst(args),
  start: (args) => import("./commands/start.js").then((m) => m.start(args)),
  firmware: (args) => import("./commands/firmware.js").then((m) => m.firmware(args)),
  hil: async (args) => (await import("./commands/hil.js")).hil(args),
  emu: async (args) => (await import("./commands/emu.js")).emu(args),
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
