// The package as a user gets it: `npm pack`, the tarball installed into an
// empty project, and every CLI command run from there with npx. The install
// is offline from the local npm cache (`npm ci` filled it): the temporary
// project's lock file pins the tarball's run-time dependencies to the
// versions in this repository's lock. A dependency the tarball's package.json
// does not declare (a devDependency, flagged "dev" in the lock) is left out
// of that lock, so the command that needs it fails here as it would for a
// user. Where the cache lacks a package (a cleared cache), the install falls
// back to `npm install --prefer-offline`.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  version: string;
  dependencies: Record<string, string>;
  allowScripts?: Record<string, boolean>;
};
const work = mkdtempSync(join(tmpdir(), "ioport-pack-"));
const project = join(work, "project");
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The environment of a user's shell: none of the npm_* variables `npm test` sets for its scripts. */
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith("npm_")));

function run(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env, encoding: "utf8", timeout: 240_000 });
}

function ioport(...args: string[]): SpawnSyncReturns<string> {
  return run("npx", ["--no", "--", "ioport", ...args], project);
}

/** The temporary project's lock: the tarball plus every non-dev package of this repository's lock. */
function lockFor(tarball: string): object {
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean }> };
  const packages: Record<string, object> = {
    "": { name: "user-project", version: "1.0.0", dependencies: { ioport: `file:${tarball}` } },
    "node_modules/ioport": { version: pkg.version, resolved: `file:${tarball}`, dependencies: pkg.dependencies, bin: { ioport: "tools/bin/ioport.js" } },
  };
  for (const [k, v] of Object.entries(lock.packages)) if (k.startsWith("node_modules/") && v.dev !== true) packages[k] = v;
  return { name: "user-project", version: "1.0.0", lockfileVersion: 3, requires: true, packages };
}

let installedWith = "";

beforeAll(() => {
  // dist/ is fresh: npm test builds it before vitest runs
  const packed = run("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", work], root);
  expect(packed.status, packed.stderr).toBe(0);
  const tarball = join(work, packed.stdout.trim().split("\n").pop() as string);
  mkdirSync(project);
  const manifest = { name: "user-project", version: "1.0.0", private: true, type: "module", dependencies: { ioport: `file:${tarball}` }, allowScripts: pkg.allowScripts };
  writeFileSync(join(project, "package.json"), JSON.stringify(manifest, null, 2));
  writeFileSync(join(project, "package-lock.json"), JSON.stringify(lockFor(tarball), null, 2));
  const offline = run("npm", ["ci", "--offline", "--no-audit", "--no-fund"], project);
  installedWith = "npm ci --offline";
  if (offline.status !== 0) {
    expect(offline.stderr, "the offline install failed for another reason than a package missing from the cache").toMatch(/ENOTCACHED/);
    rmSync(join(project, "package-lock.json"));
    const online = run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], project);
    expect(online.status, online.stderr).toBe(0);
    installedWith = "npm install --prefer-offline";
  }
  // a scenario and a TypeScript task that imports the package by its name, as a user's would
  mkdirSync(join(project, "scenarios"));
  writeFileSync(
    join(project, "scenarios", "echo.json"),
    JSON.stringify({ duration: "20ms", tasks: [{ name: "echo", module: "./echo.ts" }], stimulus: [{ uart: 0, at: "1ms", send: "hi\n" }] }),
  );
  writeFileSync(join(project, "scenarios", "echo.ts"), readFileSync(join(root, "examples", "scenarios", "tasks", "uart-echo.ts")));
}, 300_000);

describe("the packed package installed into an empty project", () => {
  it("installs from the tarball with its run-time dependencies only", () => {
    expect(installedWith).not.toBe("");
    expect(existsSync(join(project, "node_modules", "ioport", "dist", "tools", "cli.js"))).toBe(true);
    expect(existsSync(join(project, "node_modules", "vitest"))).toBe(false);
    expect(existsSync(join(project, "node_modules", "@agoric", "xsnap"))).toBe(false);
  });

  it("ioport --version and --help", () => {
    const v = ioport("--version");
    expect(v.status).toBe(0);
    expect(v.stdout).toBe(`ioport ${pkg.version}\n`);
    const h = ioport("--help");
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/^usage: ioport <command>/);
  });

  it("ioport start runs the demo firmware and exits 0", () => {
    const r = ioport("start");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/done {2}\| 7 commands, 2 presses .*live objects 0\n$/);
  });

  it("ioport sim runs a JSON scenario whose TypeScript task imports ioport, and writes the trace and the VCD", () => {
    const r = ioport("sim", "scenarios/echo.json", "--trace", "out/echo.json", "--vcd", "out/echo.vcd");
    expect(r.stderr).not.toMatch(/Error|internal/);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("echo: line 1 echoed");
    expect(r.stdout).toContain("/dev/uart0: rx 3 bytes, tx 3 bytes");
    expect(r.stdout).toContain("Perfetto trace: out/echo.json");
    expect(JSON.parse(readFileSync(join(project, "out", "echo.json"), "utf8")).traceEvents.length).toBeGreaterThan(10);
    expect(readFileSync(join(project, "out", "echo.vcd"), "utf8")).toContain("$enddefinitions");
  });

  it("ioport hil --sim measures the four modes", () => {
    const r = ioport("hil", "--sim", "--samples", "50", "--no-histogram");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/d {2}multishot io_watch +50 /);
  });

  it("ioport firmware --bundle-only bundles the demo with the installed rollup and TypeScript", () => {
    const r = ioport("firmware", "--board", "pico", "--bundle-only");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const bundle = join(project, "node_modules", "ioport", "build", "firmware", "pico", "main.js");
    expect(r.stdout).toBe(`ioport firmware: wrote ${bundle}\n`);
    expect(readFileSync(bundle, "utf8")).toMatch(/export \{ main as default \};/);
  });

  it("ioport emu: its help, and a missing bootrom refused in one line (rp2040js installed with the package)", () => {
    const h = ioport("emu", "--help");
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/^usage: ioport emu <image\.uf2>/);
    expect(existsSync(join(project, "node_modules", "rp2040js", "package.json"))).toBe(true);
    const r = ioport("emu", "x.uf2", "--bootrom", "missing.bin");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^ioport emu: cannot read the image x\.uf2: ENOENT/);
  });

  it("ioport dst --seeds 5 passes", () => {
    const r = ioport("dst", "--seeds", "5", "--quiet");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/seeds 1\.\.5: 5 passed, 0 failed/);
  });

  it("the source maps carry their sources (the .ts files themselves are not packed)", () => {
    const map = JSON.parse(readFileSync(join(project, "node_modules", "ioport", "dist", "host-sim", "simulator.js.map"), "utf8")) as { sourcesContent?: string[] };
    expect(existsSync(join(project, "node_modules", "ioport", "host-sim", "simulator.ts"))).toBe(false);
    expect(map.sourcesContent?.[0]).toContain("export class Simulator");
  });
});
