// The Perfetto traces that `ioport sim --trace` and `ioport dst --trace`
// write, checked against the Trace Event Format's rules
// (tests/trace-event-format.ts) — and the checker itself shown to catch
// each kind of mistake. No trace processor installs here without
// downloading a binary at run time (Perfetto's trace_processor is fetched
// by its Python wrapper); Chrome DevTools' trace engine from npm parses
// only Chrome's own event names, so it is no check of these tracks.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { checkTraceEventFormat } from "./trace-event-format.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const cli = join(root, "tools", "bin", "ioport.js");
const tmp = mkdtempSync(join(tmpdir(), "ioport-tef-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function ioport(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return r;
}

describe("Perfetto traces against the Trace Event Format", () => {
  it("ioport sim --trace: the example scenario's trace breaks no rule and has every kind of track", () => {
    const file = join(tmp, "sim.json");
    ioport("sim", join(root, "examples", "scenarios", "uart-echo-button.json"), "--quiet", "--trace", file);
    const text = readFileSync(file, "utf8");
    expect(checkTraceEventFormat(text)).toEqual([]);
    const ev = (JSON.parse(text) as { traceEvents: { ph: string; cat: string; name: string }[] }).traceEvents;
    expect(new Set(ev.map((e) => e.ph))).toEqual(new Set(["M", "i", "b", "e"]));
    expect(new Set(ev.map((e) => e.cat))).toEqual(new Set(["__metadata", "syscall", "op", "reap", "irq", "uart"]));
    expect(ev.filter((e) => e.name === "thread_name").length).toBeGreaterThanOrEqual(5); // interrupts, 2 tasks, uart0 rx and tx
  });

  it("ioport dst --trace: a seed's trace (ports closed with operations in flight, tasks killed) breaks no rule", () => {
    const file = join(tmp, "dst.json");
    const r = ioport("dst", "--seeds", "1", "--from", "7", "--trace", file);
    expect(r.stdout).toContain(`Perfetto trace: ${file}`);
    expect(checkTraceEventFormat(readFileSync(file, "utf8"))).toEqual([]);
  });

  it("the checker catches what a trace processor would reject or misdraw", () => {
    const doc = (events: object[]) => JSON.stringify({ traceEvents: events });
    const base = { name: "x", cat: "op", pid: 1, tid: 1, ts: 1 };
    expect(checkTraceEventFormat("{")).toEqual([expect.stringMatching(/^not JSON/)]);
    expect(checkTraceEventFormat("[]")).toEqual(["not the JSON Object Format: no traceEvents array"]);
    expect(checkTraceEventFormat(doc([{ ...base, ph: "Q" }]))).toEqual(['traceEvents[0]: ph "Q" is not a trace-event phase']);
    expect(checkTraceEventFormat(doc([{ ...base, ph: "i", ts: -1 }]))).toEqual(["traceEvents[0]: ts -1 is not a non-negative number of µs"]);
    expect(checkTraceEventFormat(doc([{ ...base, ph: "b", id: "a" }]))).toEqual(["async op:a: b without e"]);
    expect(checkTraceEventFormat(doc([{ ...base, ph: "b", id: "a", ts: 5 }, { ...base, ph: "e", id: "a", ts: 4 }]))).toEqual(["traceEvents[1]: e before its b (op:a)"]);
    expect(checkTraceEventFormat(doc([{ ...base, ph: "e", id: "a" }]))).toEqual(["traceEvents[0]: e with no open b for op:a"]);
    expect(checkTraceEventFormat(doc([{ ...base, ph: "b" }]))).toEqual(["traceEvents[0]: an async event needs cat and id"]);
    expect(checkTraceEventFormat(doc([{ ...base, ph: "M", name: "thread_name", args: {} }]))).toEqual(["traceEvents[0]: thread_name without a string args.name"]);
    expect(checkTraceEventFormat(doc([{ ...base, ph: "i", s: "x" }]))).toEqual(['traceEvents[0]: instant scope "x" is not g, p or t']);
    expect(checkTraceEventFormat(doc([{ ...base, ph: "B" }]))).toEqual(["thread 1:1: 1 B without E"]);
    expect(checkTraceEventFormat(doc([{ ...base, ph: "i", tid: "t" }]))).toEqual(["traceEvents[0]: pid and tid must be integers"]);
  });
});
