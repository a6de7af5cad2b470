/**
 * Entry point of the conformance bundle (rollup.config.mjs): the corpus, its
 * runner and the digest tools as one ES2022 module with no imports. The XS
 * harness (tools/xs/run-conformance.mjs) loads it in the XS engine and in
 * Node and compares the two digests.
 */
import { CASES } from "./corpus.js";
import { compareDigests, makeDigest, runCases, type CaseResult, type Digest, type RunHooks } from "./runner.js";

export { CASES, compareDigests, makeDigest };
export type { CaseResult, Digest, RunHooks };

/** Runs the whole corpus; returns its results and digest. */
export async function runConformance(hooks: RunHooks = {}): Promise<{ results: CaseResult[]; digest: Digest }> {
  const results = await runCases(CASES, hooks);
  return { results, digest: makeDigest(results) };
}

export const caseCount = CASES.length;
