/**
 * A small option parser for the CLI commands: `--name value`, `--name=value`,
 * flags and positionals; `--` ends the options. An unknown option, or a
 * short option the command does not know (`-x`), is a UsageError naming it.
 */
import { UsageError } from "./command.js";

export { UsageError };

export interface ParsedArgs {
  positionals: string[];
  values: Map<string, string>;
  flags: Set<string>;
}

function optionList(valued: readonly string[], flags: readonly string[]): string {
  return [...valued, ...flags].map((o) => `--${o}`).join(", ");
}

export function parseArgs(args: string[], valued: readonly string[], flags: readonly string[]): ParsedArgs {
  const out: ParsedArgs = { positionals: [], values: new Map(), flags: new Set() };
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === "--") {
      out.positionals.push(...args.slice(i + 1));
      break;
    }
    if (!a.startsWith("-") || a === "-") {
      out.positionals.push(a);
      continue;
    }
    if (!a.startsWith("--")) throw new UsageError(`unknown option ${a} (options: ${optionList(valued, flags)})`);
    const eq = a.indexOf("=");
    const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
    if (flags.includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      out.flags.add(name);
    } else if (valued.includes(name)) {
      const v = eq >= 0 ? a.slice(eq + 1) : args[++i];
      if (v === undefined) throw new UsageError(`--${name} needs a value`);
      out.values.set(name, v);
    } else {
      throw new UsageError(`unknown option --${name} (options: ${optionList(valued, flags)})`);
    }
  }
  return out;
}

/** An integer option within [min, max], or `dflt` when absent. */
export function intOption(p: ParsedArgs, name: string, dflt: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = p.values.get(name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!/^\s*-?\d+\s*$/.test(v) || !Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got "${v}"`);
  return n;
}
