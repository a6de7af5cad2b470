/**
 * `ioport hil --port` over a real serial line: a pseudo-terminal pair made
 * by socat (`pty,raw,echo=0` on both ends). The simulated probe's output is
 * written to one end while the CLI, a real child process using the
 * `serialport` package, reads the other at 115200 baud. No skipping: without
 * socat this fails and says how to install it.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseHil } from "../tools/hil/format.js";
import { computeStats } from "../tools/hil/stats.js";
import { runSimProbe } from "../tools/hil/sim.js";
import { startCli } from "./hil-helpers.js";

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill();
});

function until(cond: () => boolean, what: string, tries = 400): Promise<void> {
  return new Promise((resolve, reject) => {
    let n = 0;
    const tick = () => {
      if (cond()) resolve();
      else if (++n > tries) reject(new Error(`gave up waiting for ${what}`));
      else setTimeout(tick, 25);
    };
    tick();
  });
}

/** A socat pty pair; resolves with the two device links once both exist. */
async function ptyPair(): Promise<{ write: string; read: string }> {
  const probe = spawnSync("socat", ["-V"]);
  if (probe.error) {
    throw new Error(
      "socat is not installed, and this test needs it to make a pseudo-terminal pair (it is not skipped): " +
        "install it with `apt-get install -y socat` (.ci/run does that in CI)",
    );
  }
  const dir = mkdtempSync(join(tmpdir(), "ioport-pty-"));
  const write = join(dir, "board");
  const read = join(dir, "host");
  const socat = spawn("socat", ["-d", "-d", `pty,raw,echo=0,link=${write}`, `pty,raw,echo=0,link=${read}`], { stdio: ["ignore", "ignore", "pipe"] });
  children.push(socat);
  let err = "";
  socat.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  await until(() => existsSync(write) && existsSync(read) && /starting data transfer loop/.test(err), `socat's pty pair (socat said: ${err})`);
  return { write, read };
}

async function writeLines(path: string, lines: string[]): Promise<void> {
  const out = createWriteStream(path);
  await new Promise<void>((resolve, reject) => {
    out.on("error", reject);
    out.write(lines.map((l) => l + "\r\n").join(""), () => resolve());
  });
  // keep the board end open until the reader is done: closing it early would hang up the line
  children.push({ exitCode: null, kill: () => out.close() } as unknown as ChildProcess);
}

describe("ioport hil --port (serial, over a socat pty pair)", () => {
  it("reads the probe's stream from the port and stops at the end line, with the exact statistics", async () => {
    const lines = await runSimProbe({ board: "pico", samples: 150, seed: 9 });
    const pty = await ptyPair();
    const json = join(mkdtempSync(join(tmpdir(), "ioport-hil-")), "serial.json");
    const cli = startCli(["hil", "--port", pty.read, "--baud", "115200", "--json", json]);
    children.push(cli.child);
    await until(() => /reading .* at 115200 baud/.test(cli.stderrSoFar()), `the CLI to open the port (stderr: ${cli.stderrSoFar()})`);
    // boot noise first, as a real board prints, then the stream
    await writeLines(pty.write, ["", "Moddable pico starting...", ...lines]);
    const r = await cli.done;
    expect(r.stderr).not.toMatch(/INCOMPLETE|checksum/);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("skipped 2 line(s) that are not IOPL1 records");
    expect(r.stdout).toMatch(/^board pico · clock sim · 150 samples per mode announced · source serial /);
    const rep = JSON.parse(readFileSync(json, "utf8"));
    const run = parseHil(lines.join("\n"));
    expect(rep.complete).toBe(true);
    for (const m of ["a", "b", "c"] as const) {
      expect(rep.samples[m]).toEqual(run.samples[m]);
      expect(rep.modes.find((x: { mode: string }) => x.mode === m).stats).toEqual(computeStats(run.samples[m]));
    }
  });

  it("reports a damaged line and a wrong count over the port, with line numbers, exit 1", async () => {
    const lines = await runSimProbe({ board: "pico", samples: 20, seed: 1, modes: ["a", "b"] });
    const at = lines.findIndex((l) => l.startsWith("IOPL1 S b 4 "));
    // a value damaged in transit: a digit added, which always changes the XOR checksum (by 0x30)
    lines[at] = (lines[at] as string).replace(/ (\d+) (\d+ \*..)$/, " $10 $2");
    const damaged = / (\d+) \d+ \*..$/.exec(lines[at] as string)?.[1] as string;
    lines.splice(3, 1); // a line lost (before the damaged one, which is now line `at`, 1-based)
    const pty = await ptyPair();
    const cli = startCli(["hil", "--port", pty.read, "--no-histogram"]);
    children.push(cli.child);
    await until(() => /reading /.test(cli.stderrSoFar()), "the CLI to open the port");
    await writeLines(pty.write, lines);
    const r = await cli.done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`line ${at}: checksum [0-9A-F]{2} does not match the line`));
    expect(r.stderr).toContain("mode a: 19 of 20 samples announced by the header (line 1); missing sample numbers 2");
    expect(r.stderr).toContain("mode b: 19 of 20 samples announced by the header (line 1); missing sample numbers 4");
    expect(r.stdout).not.toContain(` ${damaged} `);
  });

  it("names the port when it cannot be opened (exit 2)", async () => {
    const r = await startCli(["hil", "--port", join(tmpdir(), "no-such-tty")]).done;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ioport hil: cannot open serial port .*no-such-tty: .*check the path/);
  });
});
