/**
 * The chip tier's environment: what it needs (the Moddable SDK with the Pico
 * toolchain, and an RP2040 bootrom for rp2040js), the firmware images it
 * builds with `ioport firmware`, and a console driver for EmulatedPico.
 * docs/chip.md says how to set the environment up.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadBoard } from "../../host-sim/boards.js";
import { readBootrom } from "../../tools/emu/bootrom.js";
import { EmulatedPico, type ConsoleByte, type ConsoleName } from "../../tools/emu/pico.js";
import { parseUf2 } from "../../tools/emu/uf2.js";

export const root = fileURLToPath(new URL("../..", import.meta.url));
const cli = join(root, "tools", "bin", "ioport.js");

/** The newest .uf2 under `dir`. */
function newestUf2(dir: string): string | null {
  let best: { path: string; t: number } | null = null;
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".uf2")) {
        const t = statSync(p).mtimeMs;
        if (best === null || t > best.t) best = { path: p, t };
      }
    }
  };
  if (existsSync(dir)) walk(dir);
  return (best as { path: string } | null)?.path ?? null;
}

/** Builds a Pico image with `ioport firmware` (the real mcconfig) and returns its .uf2 path. */
export function buildImage(args: string[]): string {
  const started = Date.now();
  const r = spawnSync(process.execPath, [cli, "firmware", "--board", "pico", ...args], {
    cwd: root,
    env: { ...process.env, MAKEFLAGS: process.env.MAKEFLAGS ?? "SHELL=/bin/bash" },
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`ioport firmware ${args.join(" ")} failed (exit ${r.status}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  const uf2 = newestUf2(join(root, "build", "moddable", "bin", "pico"));
  if (uf2 === null || statSync(uf2).mtimeMs < started - 1000) throw new Error(`ioport firmware ${args.join(" ")} wrote no new .uf2 under build/moddable/bin/pico`);
  return uf2;
}

export function boot(image: string, usb: boolean): EmulatedPico {
  const rom = readBootrom(process.env.IOPORT_BOOTROM as string);
  const bytes = readFileSync(image);
  return new EmulatedPico({ bootrom: rom, image: parseUf2(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)), board: loadBoard("pico"), usb });
}

/**
 * An expect-style driver of one console: `waitFor` runs the emulator until
 * the text since the last mark matches (or the emulated limit passes).
 */
export class ConsoleDriver {
  readonly bytes: ConsoleByte[] = [];
  private markAt = 0;
  private want: RegExp | null = null;

  constructor(
    readonly pico: EmulatedPico,
    readonly name: ConsoleName,
  ) {
    const prev = pico.onByte;
    pico.onByte = (c, b) => {
      prev?.(c, b);
      if (c !== name) return;
      this.bytes.push(b);
      if (this.want !== null && this.want.test(this.since())) pico.stop();
    };
  }

  /** Text since the mark. */
  since(): string {
    return String.fromCharCode(...this.bytes.slice(this.markAt).map((b) => b.byte));
  }

  mark(): void {
    this.markAt = this.bytes.length;
  }

  /** Runs until `re` matches the text since the mark; returns it, or throws after `limitNs` more emulated time. */
  waitFor(re: RegExp, limitNs: number): string {
    this.want = re;
    try {
      if (!re.test(this.since())) this.pico.run(this.pico.now + limitNs);
    } finally {
      this.want = null;
    }
    const text = this.since();
    if (!re.test(text)) throw new Error(`${this.name}: ${re} not seen within ${limitNs / 1e6} ms of emulated time; got ${JSON.stringify(text.slice(-400))}`);
    return text;
  }

  /** Types `text` into the UART now (plus `delayNs`), `paceNs` apart (default: line rate); returns each byte's feed time. */
  type(text: string, port = 0, delayNs = 0, paceNs = this.pico.byteNs(port)): number[] {
    const t0 = this.pico.now + delayNs;
    this.pico.typeAt(port, t0, Array.from(text, (c) => c.charCodeAt(0)), paceNs);
    return Array.from(text, (_, k) => t0 + k * paceNs);
  }
}
