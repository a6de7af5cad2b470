import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const cli = fileURLToPath(new URL("../tools/bin/ioport.js", import.meta.url));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A stand-in SDK: $MODDABLE is a directory, and `mcconfig` on PATH records its arguments, cwd and env. */
function standIn(exitCode = 0) {
  const dir = mkdtempSync(join(tmpdir(), "ioport-mcconfig-"));
  dirs.push(dir);
  const record = join(dir, "record.txt");
  const bin = join(dir, "bin");
  const sdk = join(dir, "moddable");
  spawnSync("mkdir", ["-p", bin, sdk]);
  const script = join(bin, "mcconfig");
  writeFileSync(
    script,
    `#!/bin/sh\n{ echo "cwd=$(pwd)"; echo "MODDABLE=$MODDABLE"; for a in "$@"; do echo "arg=$a"; done; } > "${record}"\nexit ${exitCode}\n`,
  );
  chmodSync(script, 0o755);
  const env = { ...process.env, MODDABLE: sdk, PATH: `${bin}:${process.env.PATH ?? ""}` };
  const read = () => {
    const lines = readFileSync(record, "utf8").trim().split("\n");
    return {
      cwd: lines.find((l) => l.startsWith("cwd="))!.slice(4),
      moddable: lines.find((l) => l.startsWith("MODDABLE="))!.slice(9),
      args: lines.filter((l) => l.startsWith("arg=")).map((l) => l.slice(4)),
    };
  };
  return { env, read, sdk };
}

function run(args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, [cli, "firmware", ...args], { cwd: tmpdir(), env, encoding: "utf8" });
}

describe("ioport firmware", () => {
  it.each([
    ["pico", "pico"],
    ["esp32-devkitc", "esp32"],
    ["esp32-s3-devkitc", "esp32/esp32s3"],
  ])("--board %s bundles the firmware, then runs mcconfig -m -p %s in the repository root", (board, target) => {
    const s = standIn();
    const r = run(["--board", board], s.env);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const got = s.read();
    expect(got.cwd).toBe(root.replace(/\/$/, ""));
    expect(got.moddable).toBe(s.sdk);
    expect(got.args).toEqual(["-m", "-p", target, "-t", "build", "-o", "build/moddable", "manifest.json"]);
    const bundle = join(root, "build", "firmware", board, "main.js");
    expect(existsSync(bundle)).toBe(true);
    const js = readFileSync(bundle, "utf8");
    // Moddable resolves these; everything else is inside the bundle, with the board inlined
    const imports = [...js.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]).sort();
    expect(imports).toEqual(["embedded:io/digital", "embedded:io/serial", "embedded:io/spi", "ioport/clock", "ioport/irqcapture", "timer"]);
    expect(js).toContain(`"name": "${board}"`);
    expect(js).not.toContain("$schema");
    expect(js).toMatch(/export \{ main as default \};/);
  });

  it("--flash --debug deploys a debug build (mcconfig -d -t all)", () => {
    const s = standIn();
    const r = run(["--board", "pico", "--flash", "--debug"], s.env);
    expect(r.status).toBe(0);
    expect(s.read().args).toEqual(["-m", "-p", "pico", "-d", "-t", "all", "-o", "build/moddable", "manifest.json"]);
  });

  it("--app irq-latency bundles the probe where its manifest looks and builds that manifest", () => {
    const s = standIn();
    const r = run(["--board", "pico", "--app", "irq-latency"], s.env);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(s.read().args).toEqual(["-m", "-p", "pico", "-t", "build", "-o", "build/moddable", "firmware/irq-latency/manifest.json"]);
    const js = readFileSync(join(root, "build", "firmware", "irq-latency", "main.js"), "utf8");
    expect(js).toContain('"name": "pico"');
    expect(js).toContain("IOPL1");
  });

  it("--app with an unknown name is a usage error", () => {
    const s = standIn();
    const r = run(["--board", "pico", "--app", "blink"], s.env);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--app must be main or irq-latency");
  });

  it("a failing mcconfig fails the command", () => {
    const s = standIn(3);
    const r = run(["--board", "pico"], s.env);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("mcconfig failed (exit 3)");
  });

  it("without $MODDABLE: a clear error naming the Getting Started guide, exit 1, nothing run", () => {
    const s = standIn();
    const env: NodeJS.ProcessEnv = { ...s.env };
    delete env.MODDABLE;
    const r = run(["--board", "pico"], env);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("the Moddable SDK is needed to build firmware for pico");
    expect(r.stderr).toContain("$MODDABLE is not set");
    expect(r.stderr).toContain("Moddable SDK Getting Started");
    expect(existsSync(join(s.sdk, "..", "record.txt"))).toBe(false);
  });

  it("with $MODDABLE but no mcconfig on PATH: says so, exit 1", () => {
    const dir = mkdtempSync(join(tmpdir(), "ioport-nosdk-"));
    dirs.push(dir);
    const r = run(["--board", "esp32-devkitc"], { ...process.env, MODDABLE: dir, PATH: "/nonexistent" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("mcconfig is not on PATH");
    const r2 = run(["--board", "pico"], { ...process.env, MODDABLE: join(dir, "missing") });
    expect(r2.status).toBe(1);
    expect(r2.stderr).toContain("which is not a directory");
  });

  it("usage errors: no board, an unknown board, an unknown option", () => {
    const s = standIn();
    expect(run([], s.env).status).toBe(2);
    const r = run(["--board", "uno"], s.env);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown board "uno"');
    expect(run(["--board", "pico", "--turbo"], s.env).status).toBe(2);
  });
});
