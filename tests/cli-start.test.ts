import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const cli = fileURLToPath(new URL("../tools/bin/ioport.js", import.meta.url));

// Runs the built CLI (npm test builds dist/ first), as `npm start` does.
describe("ioport start", () => {
  it("runs the demo script on sim-devkit with plain output when stdout is not a TTY, and exits 0", () => {
    const r = spawnSync(process.execPath, [cli, "start"], { cwd: root, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const out = r.stdout;
    expect(out).not.toContain("\x1b[");
    expect(out).toMatch(/\[ {2}0\.000 s\] start \| demo firmware on sim-devkit \(seed 1\)/);
    expect(out).toContain("led   | LED on (pin 2)");
    expect(out).toContain("timer | heartbeat 5");
    expect(out).toContain("uart  | ioport> uptime\n");
    expect(out).toContain("uart  | loopback: drove 4 edges, counted 4 - jumper OK");
    expect(out).toContain("uart  | unknown command: frobnicate (try help)");
    expect(out).toContain("uart  | pong #1 from worker (served 1;");
    expect(out).toMatch(/done {2}\| 7 commands, 2 presses \(3 bounces filtered\), LED off, 5 heartbeats, 4 loopback edges, .*live objects 0\n$/);
  });

  it("--board pico runs the same firmware on the Pico board file", () => {
    const r = spawnSync(process.execPath, [cli, "start", "--board", "pico"], { cwd: root, encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("demo firmware on pico");
    expect(r.stdout).toContain("led   | LED on (pin 25)");
  });

  it("--interactive types stdin lines into the shell until end of input", () => {
    const r = spawnSync(process.execPath, [cli, "start", "--interactive"], { cwd: root, encoding: "utf8", input: "led on\nstatus\n" });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("uart  | ioport> led on");
    expect(r.stdout).toContain("board sim-devkit: led on");
  });

  it("an unknown board or option is a usage error (exit 2) in one line", () => {
    const r = spawnSync(process.execPath, [cli, "start", "--board", "nope"], { cwd: root, encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('ioport start: unknown board "nope" (boards: sim-devkit, pico, esp32-devkitc, esp32-s3-devkitc) (see ioport start --help)\n');
    const r2 = spawnSync(process.execPath, [cli, "start", "--bogus"], { cwd: root, encoding: "utf8" });
    expect(r2.status).toBe(2);
  });
});
