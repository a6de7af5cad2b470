/**
 * A small JSON Schema validator for the subset `boards/board.schema.json`
 * uses: type, enum, const, required, properties, additionalProperties,
 * items, minimum, maximum, minLength, pattern, minItems and local `$ref`s
 * into `$defs`. Written here rather than taken as a dependency because the
 * board files are the only schema-checked data and the simulator validates
 * them at load (a runtime dependency for one small schema is not worth it).
 * An unknown keyword is an error, so the schema cannot silently outgrow it.
 */

export type JsonSchema = { [k: string]: unknown };

const KNOWN = new Set([
  "$schema", "$id", "title", "description", "$defs", "$ref", "type", "enum", "const", "required",
  "properties", "additionalProperties", "items", "minimum", "maximum", "minLength", "pattern", "minItems",
]);

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

/** Validates `value` against `schema`; returns the problems found ("" path = the root), none when valid. */
export function validate(schema: JsonSchema, value: unknown): string[] {
  const errors: string[] = [];
  check(schema, schema, value, "", errors);
  return errors;
}

function check(root: JsonSchema, s: JsonSchema, v: unknown, path: string, errors: string[]): void {
  const at = path === "" ? "(root)" : path;
  for (const k of Object.keys(s)) if (!KNOWN.has(k)) throw new Error(`json-schema: unsupported keyword "${k}" at ${at}`);
  if (typeof s.$ref === "string") {
    const m = /^#\/\$defs\/([\w-]+)$/.exec(s.$ref);
    const target = m ? (root.$defs as Record<string, JsonSchema> | undefined)?.[m[1] as string] : undefined;
    if (target === undefined) throw new Error(`json-schema: cannot resolve $ref "${s.$ref}"`);
    check(root, target, v, path, errors);
  }
  if (s.type !== undefined) {
    const t = typeOf(v);
    const want = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    if (!want.includes(t) && !(t === "integer" && want.includes("number"))) {
      errors.push(`${at}: expected ${want.join(" or ")}, got ${t}`);
      return;
    }
  }
  if (Array.isArray(s.enum) && !s.enum.some((e) => e === v)) errors.push(`${at}: must be one of ${JSON.stringify(s.enum)}`);
  if ("const" in s && s.const !== v) errors.push(`${at}: must be ${JSON.stringify(s.const)}`);
  if (typeof v === "number") {
    if (typeof s.minimum === "number" && v < s.minimum) errors.push(`${at}: ${v} is less than ${s.minimum}`);
    if (typeof s.maximum === "number" && v > s.maximum) errors.push(`${at}: ${v} is more than ${s.maximum}`);
  }
  if (typeof v === "string") {
    if (typeof s.minLength === "number" && v.length < s.minLength) errors.push(`${at}: shorter than ${s.minLength}`);
    if (typeof s.pattern === "string" && !new RegExp(s.pattern).test(v)) errors.push(`${at}: "${v}" does not match ${s.pattern}`);
  }
  if (Array.isArray(v)) {
    if (typeof s.minItems === "number" && v.length < s.minItems) errors.push(`${at}: fewer than ${s.minItems} items`);
    if (s.items !== undefined) v.forEach((item, i) => check(root, s.items as JsonSchema, item, `${path}[${i}]`, errors));
  }
  if (typeOf(v) === "object") {
    const o = v as Record<string, unknown>;
    if (Array.isArray(s.required)) for (const r of s.required as string[]) if (!(r in o)) errors.push(`${at}: missing "${r}"`);
    const props = (s.properties ?? {}) as Record<string, JsonSchema>;
    for (const [k, pv] of Object.entries(o)) {
      const p = path === "" ? k : `${path}.${k}`;
      if (k in props) check(root, props[k] as JsonSchema, pv, p, errors);
      else if (s.additionalProperties === false) errors.push(`${at}: unknown property "${k}"`);
      else if (typeof s.additionalProperties === "object" && s.additionalProperties !== null) {
        check(root, s.additionalProperties as JsonSchema, pv, p, errors);
      }
    }
  }
}
