/**
 * Deterministic serialisation and hashing of plain outcome data, identical in
 * every ES2022 engine: the digest of a conformance run is built from these.
 */

/** JSON-like text with sorted keys; bigints as `123n`, typed arrays as `Uint8Array[1,2]`. */
export function stableStringify(v: unknown): string {
  if (v === undefined) return "undefined";
  if (v === null) return "null";
  switch (typeof v) {
    case "bigint":
      return `${v}n`;
    case "number":
      return Object.is(v, -0) ? "-0" : String(v);
    case "string":
      return JSON.stringify(v);
    case "boolean":
      return v ? "true" : "false";
    case "function":
      return `function ${(v as { name?: string }).name ?? ""}`;
    case "symbol":
      return String(v);
    default:
      break;
  }
  if (Array.isArray(v)) return `[${v.map((x) => stableStringify(x)).join(",")}]`;
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const items = Array.prototype.map.call(v, (x: unknown) => stableStringify(x)) as string[];
    return `${Object.getPrototypeOf(v).constructor.name}[${items.join(",")}]`;
  }
  if (v instanceof Error) return `${v.name}(${JSON.stringify(v.message)})`;
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(obj[k])}`).join(",")}}`;
}

/** FNV-1a, 32 bits, over the UTF-16 code units of `s`, as 8 hex digits. */
export function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}
