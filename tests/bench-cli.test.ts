// `npm run bench`'s command line: an unknown flag or an --only that matches
// no case stops it at once with exit 2, before anything is measured or
// written; a run writes to build/bench/, and the committed figures in
// bench/results/ change only with --update.
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const tsx = join(root, "node_modules", "tsx", "dist", "cli.mjs");
const bench = (...args: string[]) => spawnSync(process.execPath, [tsx, "bench/run.ts", ...args], { cwd: root, encoding: "utf8", timeout: 120_000 });
const committed = ["node.json", "xs.json", "ratios.svg"].map((f) => join(root, "bench", "results", f));
const mtimes = () => committed.map((f) => statSync(f).mtimeMs);

describe("npm run bench: flags", () => {
  it("an unknown flag is a usage error (exit 2) naming it and the flags there are", () => {
    const r = bench("--fulll");
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("bench: unknown option --fulll (options: --only, --full, --node-only, --xs-only, --update) (npm run bench -- --help shows the flags)\n");
    expect(r.stdout).toBe("");
  });

  it("an --only that matches no case is a usage error listing the case ids, and nothing is written", () => {
    const before = mtimes();
    const r = bench("--only=nop-roundtrp");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^bench: --only=nop-roundtrp matches no case \(ids: nop-roundtrip-b1, nop-roundtrip-b32, .*irq-dispatch/);
    expect(mtimes()).toEqual(before);
  });

  it("a run writes to build/bench/ and leaves the committed figures alone", () => {
    const before = mtimes();
    const r = bench("--only=nop-roundtrip-b1", "--node-only");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`wrote ${join(root, "build", "bench")}: node.json, ratios.svg`);
    expect(r.stdout).toContain("node · NOP round trip, batch 1\n");
    expect(statSync(join(root, "build", "bench", "node.json")).mtimeMs).toBeGreaterThan(Date.now() - 60_000);
    expect(mtimes()).toEqual(before);
  });
});
