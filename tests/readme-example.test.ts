// The README's first example runs as written, against the built package
// (imports "ioport" and "ioport/host-sim" exactly as a user would).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");

/** The fenced ```ts blocks of the README, in order. */
export function readmeBlocks(): string[] {
  const md = readFileSync(join(root, "README.md"), "utf8");
  return [...md.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

export function runSnippet(code: string): string {
  // the snippet lives inside the package so that "ioport" self-resolves
  mkdirSync(join(root, "build"), { recursive: true });
  const dir = mkdtempSync(join(root, "build", "readme-"));
  const file = join(dir, "example.mts");
  writeFileSync(file, code);
  try {
    return execFileSync(process.execPath, ["--import", "tsx", "--disable-warning=ExperimentalWarning", file], {
      cwd: root,
      encoding: "utf8",
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("README", () => {
  it("the first example runs as written and prints both completions", () => {
    const block = readmeBlocks().find((b) => b.includes("OP_TIMEOUT") && b.includes("io_wait"));
    expect(block).toBeDefined();
    expect(block!.split("\n").length).toBeLessThanOrEqual(30);
    const out = runSnippet(block!);
    expect(out).toContain("accepted 2");
    expect(out).toContain("user_data=1 opcode=0 result=0");
    expect(out).toContain("user_data=2 opcode=1 result=0");
    expect(out).toContain("virtual time 1000000 ns");
  });

  it("the interrupt fast-path example runs as written and counts every press", () => {
    const block = readmeBlocks().find((b) => b.includes("io_watch") && b.includes("IOSQE_MULTISHOT"));
    expect(block).toBeDefined();
    expect(runSnippet(block!)).toContain("presses 3");
  });

  it("the simulated-devices example runs as written", () => {
    const block = readmeBlocks().find((b) => b.includes("SpiFlash") && b.includes("inject"));
    expect(block).toBeDefined();
    const probe = `${block!}\nconsole.log("uart received", sim.uart(0).received().length, "led", sim.gpio(2).level, "now", sim.now);\n`;
    const out = runSnippet(probe);
    expect(out).toContain("led 1");
    expect(out).toMatch(/now [1-9]/);
  });
});
