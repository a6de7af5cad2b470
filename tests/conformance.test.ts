/**
 * The conformance corpus under vitest: one test per case (tests/conformance/),
 * the same cases the XS harness runs inside the XS engine.
 */
import { afterAll, describe, expect, it } from "vitest";
import { CASES } from "./conformance/corpus.js";
import { makeContext } from "./conformance/runner.js";

describe("conformance corpus", () => {
  it("has at least 60 cases with unique ids", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CASES.map((c) => c.id)).size).toBe(CASES.length);
  });
});

const bySuite = new Map<string, typeof CASES[number][]>();
for (const c of CASES) {
  const list = bySuite.get(c.suite) ?? [];
  list.push(c);
  bySuite.set(c.suite, list);
}

for (const [suite, list] of bySuite) {
  describe(`conformance ${suite}`, () => {
    for (const c of list) {
      it(`${c.name} (${c.section})`, async () => {
        await c.run(makeContext());
      });
    }
  });
}

afterAll(() => undefined);
