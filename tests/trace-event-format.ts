/**
 * A checker for the Trace Event Format (the JSON that Perfetto's and
 * chrome://tracing's importers read; Google's "Trace Event Format" document),
 * for the phases a trace may use: it returns every violation as a line.
 * Written from the format's document, not from ioport's writer: the writer's
 * tests use it as the consumer's rules.
 *
 * - The file is the JSON Object Format: `traceEvents` an array, and
 *   `displayTimeUnit`, if present, "ms" or "ns".
 * - Every event has a string `name`, a one-character `ph` among the defined
 *   phases, integer `pid` and `tid`, and (but for metadata) a finite,
 *   non-negative `ts` in microseconds; `cat` and `args`, if present, are a
 *   string and an object.
 * - Duration events: B/E balance per thread, E never before its B; X has a
 *   non-negative `dur`.
 * - Instant events (i/I): scope `s`, if present, is g, p or t.
 * - Nestable async events (b/n/e): `cat` and `id` present; per (cat, id),
 *   every e closes an open b, LIFO, not before it; none left open.
 * - Metadata (M): process_name / thread_name carry `args.name` as a string,
 *   *_sort_index an integer `args.sort_index`; process_labels `args.labels`.
 */
const PHASES = new Set(["B", "E", "X", "i", "I", "C", "b", "n", "e", "S", "T", "p", "F", "s", "t", "f", "P", "N", "O", "D", "M", "V", "v", "R", "c", "(", ")"]);
const METADATA = new Set(["process_name", "process_labels", "process_sort_index", "thread_name", "thread_sort_index"]);

type Json = Record<string, unknown>;

export function checkTraceEventFormat(text: string): string[] {
  const problems: string[] = [];
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return [`not JSON: ${(e as Error).message}`];
  }
  if (typeof doc !== "object" || doc === null || !Array.isArray((doc as Json).traceEvents)) return ["not the JSON Object Format: no traceEvents array"];
  const d = doc as Json;
  if (d.displayTimeUnit !== undefined && d.displayTimeUnit !== "ms" && d.displayTimeUnit !== "ns") problems.push(`displayTimeUnit ${JSON.stringify(d.displayTimeUnit)} is neither "ms" nor "ns"`);
  const stacks = new Map<string, number[]>(); // B/E per pid:tid → begin ts
  const asyncOpen = new Map<string, number[]>(); // b/e per cat:id → begin ts
  (d.traceEvents as unknown[]).forEach((raw, i) => {
    const at = `traceEvents[${i}]`;
    if (typeof raw !== "object" || raw === null) return problems.push(`${at}: not an object`);
    const e = raw as Json;
    const ph = e.ph;
    if (typeof ph !== "string" || !PHASES.has(ph)) return problems.push(`${at}: ph ${JSON.stringify(ph)} is not a trace-event phase`);
    if (typeof e.name !== "string") problems.push(`${at}: name is not a string`);
    if (!Number.isInteger(e.pid) || !Number.isInteger(e.tid)) problems.push(`${at}: pid and tid must be integers`);
    if (e.cat !== undefined && typeof e.cat !== "string") problems.push(`${at}: cat is not a string`);
    if (e.args !== undefined && (typeof e.args !== "object" || e.args === null || Array.isArray(e.args))) problems.push(`${at}: args is not an object`);
    const ts = e.ts as number;
    if (ph !== "M" && (typeof ts !== "number" || !Number.isFinite(ts) || ts < 0)) problems.push(`${at}: ts ${JSON.stringify(e.ts)} is not a non-negative number of µs`);
    const args = (e.args ?? {}) as Json;
    switch (ph) {
      case "B":
      case "E": {
        const key = `${String(e.pid)}:${String(e.tid)}`;
        const stack = stacks.get(key) ?? [];
        stacks.set(key, stack);
        if (ph === "B") stack.push(ts);
        else if (stack.length === 0) problems.push(`${at}: E with no open B on thread ${key}`);
        else if ((stack.pop() as number) > ts) problems.push(`${at}: E before its B`);
        break;
      }
      case "X":
        if (typeof e.dur !== "number" || !(e.dur >= 0)) problems.push(`${at}: X without a non-negative dur`);
        break;
      case "i":
      case "I":
        if (e.s !== undefined && e.s !== "g" && e.s !== "p" && e.s !== "t") problems.push(`${at}: instant scope ${JSON.stringify(e.s)} is not g, p or t`);
        break;
      case "b":
      case "n":
      case "e": {
        if (typeof e.cat !== "string" || (typeof e.id !== "string" && typeof e.id !== "number")) {
          problems.push(`${at}: an async event needs cat and id`);
          break;
        }
        const key = `${e.cat}:${String(e.id)}`;
        const open = asyncOpen.get(key) ?? [];
        asyncOpen.set(key, open);
        if (ph === "b") open.push(ts);
        else if (ph === "e") {
          if (open.length === 0) problems.push(`${at}: e with no open b for ${key}`);
          else if ((open.pop() as number) > ts) problems.push(`${at}: e before its b (${key})`);
        }
        break;
      }
      case "M":
        if (!METADATA.has(e.name as string)) problems.push(`${at}: metadata name ${JSON.stringify(e.name)} is not one the format defines`);
        else if ((e.name === "process_name" || e.name === "thread_name") && typeof args.name !== "string") problems.push(`${at}: ${String(e.name)} without a string args.name`);
        else if (String(e.name).endsWith("sort_index") && !Number.isInteger(args.sort_index)) problems.push(`${at}: ${String(e.name)} without an integer args.sort_index`);
        else if (e.name === "process_labels" && typeof args.labels !== "string") problems.push(`${at}: process_labels without args.labels`);
        break;
    }
  });
  for (const [key, stack] of stacks) if (stack.length > 0) problems.push(`thread ${key}: ${stack.length} B without E`);
  for (const [key, open] of asyncOpen) if (open.length > 0) problems.push(`async ${key}: b without e`);
  return problems;
}
