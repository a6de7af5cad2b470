/**
 * The same core in the real XS engine. Runs the XS harness
 * (tools/xs/run-conformance.mjs) as a child process, checks that every case
 * passed there, and compares the XS digest with the digest of the same cases
 * run here in Node from the TypeScript sources. Then checks that the harness
 * and the comparison really catch what they exist to catch: divergent
 * digests, and every way an XS run can fail silently.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CASES } from "./conformance/corpus.js";
import { compareDigests, makeDigest, runCases, type CaseResult, type Digest } from "./conformance/runner.js";

const root = resolve(import.meta.dirname, "..");
/** A harness run builds the bundle (a few seconds) and starts XS: give it room on a slow CI machine. */
const SLOW = { timeout: 180_000 };
const harness = join(root, "tools/xs/run-conformance.mjs");
const bundle = join(root, "build/xs/conformance.js");
const tmp = mkdtempSync(join(tmpdir(), "ioport-xs-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runHarness(args: string[]): Promise<Run> {
  return new Promise((res) => {
    execFile(process.execPath, [harness, ...args], { cwd: root, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : null) : 0;
      res({ code, stdout, stderr });
    });
  });
}

/** The harness's summary line, "N passed, N failed". */
function summary(out: string): [number, number] {
  const m = /^(\d+) passed, (\d+) failed$/m.exec(out);
  if (!m) throw new Error(`no "N passed, N failed" line in:\n${out}`);
  return [Number(m[1]), Number(m[2])];
}

/** One harness run, shared: whichever test asks first starts it (each test stands alone). */
let harnessRun: Promise<{ run: Run; written: { xs: Digest; node: Digest } | null }> | undefined;
function xsRun(): Promise<{ run: Run; written: { xs: Digest; node: Digest } | null }> {
  harnessRun ??= (async () => {
    const out = join(tmp, "digest.json");
    const run = await runHarness(["--digest-out", out]);
    const written = existsSync(out) ? (JSON.parse(readFileSync(out, "utf8")) as { xs: Digest; node: Digest }) : null;
    return { run, written };
  })();
  return harnessRun;
}

describe("the conformance corpus in XS", () => {
  it("every case passes in XS, and the harness's Node run agrees", SLOW, async () => {
    const { run: r, written } = await xsRun();
    expect(r.stderr).toBe("");
    expect(summary(r.stdout)).toEqual([CASES.length, 0]);
    expect(r.code).toBe(0);
    expect(written).not.toBeNull();
    const xsDigest = written!.xs;
    expect(xsDigest.count).toBe(CASES.length);
    expect(xsDigest.failed).toBe(0);
    expect(compareDigests(written!.node, xsDigest, "bundle in node", "xs")).toEqual([]);
  });

  it("the XS digest equals the digest of the TypeScript sources run here under vitest", SLOW, async () => {
    const { written } = await xsRun();
    expect(written).not.toBeNull();
    const xsDigest = written!.xs;
    const results = await runCases(CASES);
    const nodeDigest = makeDigest(results);
    expect(nodeDigest.failed).toBe(0);
    expect(compareDigests(nodeDigest, xsDigest, "vitest", "xs")).toEqual([]);
    expect(nodeDigest.hash).toBe(xsDigest.hash);
  });
});

describe("compareDigests catches a divergence", () => {
  const results: CaseResult[] = [
    { id: "a/one", section: "§1", status: "pass", outcome: "[1,2]" },
    { id: "a/two: with a colon", section: "§2", status: "pass", outcome: '{"x":3n}' },
    { id: "b/three", section: "§3", status: "pass", outcome: "0" },
  ];
  const base = makeDigest(results);
  const variant = (change: (r: CaseResult[]) => CaseResult[]): Digest => makeDigest(change(results.map((r) => ({ ...r }))));

  it("agrees with itself", () => {
    expect(compareDigests(base, makeDigest(results))).toEqual([]);
  });
  it("a different outcome", () => {
    const d = compareDigests(base, variant((r) => (r[1]!.outcome = '{"x":4n}', r)), "node", "xs");
    expect(d).toHaveLength(1);
    expect(d[0]).toMatch(/^a\/two: with a colon: differs/);
  });
  it("pass in one engine, fail in the other", () => {
    expect(compareDigests(base, variant((r) => (r[2]!.status = "fail", r)))).toEqual([expect.stringMatching(/^b\/three: differs/)]);
  });
  it("a case missing or extra", () => {
    expect(compareDigests(base, variant((r) => r.slice(0, 2)), "node", "xs")).toEqual(["b/three: only in node"]);
    expect(compareDigests(variant((r) => r.slice(1)), base, "node", "xs")).toEqual(["a/one: only in xs"]);
  });
  it("the same cases in another order", () => {
    expect(compareDigests(base, variant((r) => r.reverse()))).toEqual([expect.stringMatching(/different order/)]);
  });
  it("a hash that does not match its lines, or a wrong count", () => {
    expect(compareDigests(base, { ...base, hash: "00000000" }, "node", "xs")).toEqual([expect.stringMatching(/^xs: hash 00000000 does not match/)]);
    expect(compareDigests(base, { ...base, count: 4 }, "node", "xs")).toEqual(["xs: count 4 but 3 lines"]);
  });
  it("a case reported twice", () => {
    expect(compareDigests(base, variant((r) => [...r, r[0]!]), "node", "xs")).toContain("a/one: reported twice by xs");
  });
});

/** A fake bundle: an ES module exporting caseCount and runConformance (the harness's contract). */
function fake(name: string, body: string): string {
  const file = join(tmp, `${name}.js`);
  writeFileSync(file, body);
  return file;
}

const PASSING = `
export const caseCount = 2;
export async function runConformance(h = {}) {
  const results = [];
  for (const id of ["fake/one", "fake/two"]) {
    h.onStart?.({ id });
    await new Promise((r) => setImmediate(r));
    const r = { id, section: "§0", status: "pass", outcome: "1" };
    results.push(r);
    h.onResult?.(r);
  }
  return { results, digest: { count: 2, passed: 2, failed: 0, hash: "-", lines: results.map((r) => r.id + "\\tpass 1") } };
}
`;

describe("the XS harness fails loudly on every silent XS failure", () => {
  it("control: a well-behaved fake bundle passes", SLOW, async () => {
    const r = await runHarness(["--bundle", fake("passing", PASSING), "--no-node"]);
    expect(summary(r.stdout)).toEqual([2, 0]);
    expect(r.code).toBe(0);
  });

  const failures: [string, string, RegExp][] = [
    ["a parse error", "export const caseCount = ;\n", /load error in XS: SyntaxError/],
    ["a throw at module top level", 'throw new Error("top-level boom");\n', /load error in XS: Error: top-level boom/],
    ["an import of a missing file", 'import "./no-such-file.js";\nexport const caseCount = 0;\n', /load error in XS/],
    ["no runConformance export", "export const caseCount = 1;\n", /exports no runConformance/],
    [
      "a run that never finishes (XS goes idle, exits 0)",
      "export const caseCount = 1;\nexport function runConformance(h) { h.onStart({ id: \"fake/stuck\" }); return new Promise(() => {}); }\n",
      /no result reported.*fake\/stuck.*never finished/,
    ],
    [
      "fewer results than cases",
      PASSING.replace("export const caseCount = 2;", "export const caseCount = 3;"),
      /has 3 cases but XS reported 2 results/,
    ],
    [
      "a failing case",
      PASSING.replace('status: "pass"', 'status: id === "fake/two" ? "fail" : "pass", error: "AssertionError: nope"'),
      /case fake\/two \(§0\) failed: AssertionError: nope/,
    ],
    [
      "an ES2023+ built-in XS lacks, hidden from the text scan",
      PASSING.replace("const results = [];", 'const results = [3, 1, 2]["to" + "Sorted"]();'),
      /run error in XS: TypeError/,
    ],
    [
      "an ES2023+ built-in in the bundle text, even on a path no case runs",
      PASSING.replace("export const caseCount = 2;", "export const caseCount = 2;\nexport const unused = (a) => a.toSorted();"),
      /bundle:\d+: uses Array\/TypedArray.prototype.toSorted/,
    ],
    ["a host global XS lacks", PASSING.replace("const results = [];", "const results = []; console.log(1);"), /run error in XS: ReferenceError/],
  ];
  for (const [what, src, pattern] of failures) {
    it(what, SLOW, async () => {
      const r = await runHarness(["--bundle", fake(what.replace(/\W+/g, "-"), src), "--no-node", "--timeout-ms", "60000"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(pattern);
      expect(summary(r.stdout)[1]).toBeGreaterThan(0);
    });
  }

  it("an outcome that differs between XS and Node is a digest disagreement", SLOW, async () => {
    // the real comparison (from the built bundle) over a case whose outcome is engine-specific
    if (!existsSync(bundle)) await runHarness([]); // builds it when this test runs alone
    const src = `
export { compareDigests } from ${JSON.stringify(bundle)};
import { makeDigest } from ${JSON.stringify(bundle)};
export const caseCount = 1;
export async function runConformance(h = {}) {
  const r = { id: "fake/engine", section: "§0", status: "pass", outcome: typeof globalThis.print };
  h.onStart?.({ id: r.id });
  h.onResult?.(r);
  return { results: [r], digest: makeDigest([r]) };
}
`;
    const r = await runHarness(["--bundle", fake("divergent", src)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/digest disagreement: fake\/engine: differs\n\s+node: fake\/engine\tpass undefined\n\s+xs: fake\/engine\tpass function/);
    expect(summary(r.stdout)).toEqual([1, 1]);
  });
});
