/**
 * Runs the README's two-task example verbatim: the code block after the
 * `readme-example: two-tasks` marker, with only its package imports pointed
 * at the sources, and checks it prints what the README says it prints.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it, vi } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const readme = readFileSync(`${root}README.md`, "utf8");
const dir = `${root}tests/.readme-tmp`;

function block(after: string, lang: string): string {
  const at = readme.indexOf(after);
  if (at < 0) throw new Error(`README: marker ${after} not found`);
  const open = readme.indexOf("```" + lang + "\n", at);
  const close = readme.indexOf("\n```", open + 4);
  return readme.slice(open + 4 + lang.length, close + 1);
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("README", () => {
  it("the two-task example runs and prints what the README shows", async () => {
    const code = block("readme-example: two-tasks", "ts");
    const expected = block("It prints:", "text").trimEnd().split("\n");
    const src = code
      .replace(/from "ioport\/host-sim"/g, 'from "../../host-sim/index.js"')
      .replace(/from "ioport\/api"/g, 'from "../../core/api/index.js"')
      .replace(/from "ioport"/g, 'from "../../core/index.js"');
    expect(src).not.toContain('"ioport');
    mkdirSync(dir, { recursive: true });
    const file = `${dir}/two-tasks.ts`;
    writeFileSync(file, src + "\nexport {};\n");
    const lines: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => {
      lines.push(a.map(String).join(" "));
    });
    try {
      await import(/* @vite-ignore */ file);
    } finally {
      spy.mockRestore();
    }
    expect(lines).toEqual(expected);
  });
});
