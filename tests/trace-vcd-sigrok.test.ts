// The VCD file read back by a real consumer: sigrok-cli (Debian's package,
// which README "Set-up" and .ci/run install) loads `ioport sim`'s waveforms
// of the example scenario at their own 1 ns resolution and its UART protocol
// decoder reads the console's bytes back off the bit-level RX and TX lines:
// "hello\n", "ioport\n" and the injected break (a 0 byte whose stop bit is
// low: a frame error). Without the `#0` before `$dumpvars`, sigrok shifts the
// first frames and decodes "hello\n" as AB B1 B1 BD 29.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const cli = join(root, "tools", "bin", "ioport.js");
const tmp = mkdtempSync(join(tmpdir(), "ioport-sigrok-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function sigrok(args: string[]): string {
  const r = spawnSync("sigrok-cli", args, { encoding: "utf8" });
  if (r.error) throw new Error(`sigrok-cli is not installed: apt-get install sigrok-cli (README "Set-up") (${r.error.message})`);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

/** The annotations of one UART decoder row, e.g. ["68", "65", ...]. */
function decode(vcd: string, line: "rx" | "tx", row: string): string[] {
  const out = sigrok(["-i", vcd, "-I", "vcd", "-P", `uart:${line}=uart0_${line}:baudrate=115200`, "-A", `uart=${row}`]);
  return out
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => l.replace(/^uart-1: /, ""));
}

const hex = (s: string) => [...s].map((c) => c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0"));

describe("VCD read back by sigrok-cli", () => {
  it("the UART decoder reads hello\\n, ioport\\n and the break off uart0's RX line, and the echo off TX", () => {
    const vcd = join(tmp, "echo.vcd");
    const r = spawnSync(process.execPath, [cli, "sim", join(root, "examples", "scenarios", "uart-echo-button.json"), "--quiet", "--vcd", vcd], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(decode(vcd, "rx", "rx-data")).toEqual([...hex("hello\n"), ...hex("ioport\n"), "00"]);
    expect(decode(vcd, "rx", "rx-warnings")).toEqual(["Frame error"]);
    // the echo task writes back what it read, the break's 0 byte included
    expect(decode(vcd, "tx", "tx-data")).toEqual([...hex("hello\n"), ...hex("ioport\n"), "00"]);
    expect(decode(vcd, "tx", "tx-warnings")).toEqual([]);
  });
});
