/**
 * Where the emulated core spends its time: the PC sampled every `sampleNs`
 * of emulated time (an alarm on the emulator's clock, so sampling never
 * perturbs the firmware) and attributed to the ELF's symbols, read with
 * `arm-none-eabi-nm` (from the Pico toolchain). With a window, only the
 * `windowUs` after each loopback edge are sampled (edge → user code), and
 * figures are per edge.
 *
 * Groups are by symbol name, a best effort that the report says it is:
 * the XS interpreter, property access, memcpy/memset, soft-float helpers,
 * the rest of XS, Moddable's modules, the Pico SDK, USB (TinyUSB), and idle
 * (the core asleep in WFI).
 */
import { spawnSync } from "node:child_process";
import type { EmulatedPico } from "./pico.js";

export interface Sym {
  addr: number;
  size: number;
  name: string;
}

export class ProfileError extends Error {}

/** The ELF's function symbols, sorted by address (`arm-none-eabi-nm -n -S --defined-only`). */
export function readSymbols(elf: string, nm = process.env.IOPORT_NM ?? "arm-none-eabi-nm"): Sym[] {
  const r = spawnSync(nm, ["-n", "-S", "--defined-only", elf], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error) throw new ProfileError(`cannot run ${nm} (${(r.error as NodeJS.ErrnoException).code ?? r.error.message}): install the Arm toolchain (Debian: gcc-arm-none-eabi) or set IOPORT_NM`);
  if (r.status !== 0) throw new ProfileError(`${nm} ${elf} failed: ${r.stderr.trim().split("\n")[0] ?? ""}`);
  const syms: Sym[] = [];
  for (const line of r.stdout.split("\n")) {
    const m = /^([0-9a-f]+) ([0-9a-f]+ )?([tTwW]) (\S+)$/.exec(line);
    if (m === null) continue;
    syms.push({ addr: parseInt(m[1] as string, 16) & ~1, size: m[2] ? parseInt(m[2], 16) : 0, name: m[4] as string });
  }
  if (syms.length === 0) throw new ProfileError(`${elf}: no function symbols (is it the .elf mcconfig wrote beside the .uf2?)`);
  syms.sort((a, b) => a.addr - b.addr);
  return syms;
}

/** The symbol holding `pc`, or null. */
export function symbolAt(syms: readonly Sym[], pc: number): Sym | null {
  let lo = 0;
  let hi = syms.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((syms[mid] as Sym).addr <= pc) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (best < 0) return null;
  const s = syms[best] as Sym;
  if (s.size > 0 && pc >= s.addr + s.size) return null;
  return s;
}

const GROUPS: readonly [string, RegExp][] = [
  ["idle (WFI)", /^$/],
  ["XS bytecode dispatch", /^fxRun(ID)?$/],
  ["XS property access", /^fx(Ordinary|Get|Set|Find|Define|Has|Delete)\w*Propert|^fx\w*(Slot|ID)At$|^fxGetID$|^fxFindInstance|^fxLookup/],
  ["memcpy/memset", /^(__wrap_)?(memcpy|memset|memmove|__aeabi_mem\w+)/],
  ["soft-float", /^(__wrap_)?(__aeabi_[dfil]|__aeabi_[ui]?[dfl]2|__(add|sub|mul|div|cmp|eq|ne|lt|le|gt|ge|fix|float|extend|trunc)[sd]f|_d(add|sub|mul|div|cmp)|fx\w*Number|__ieee754)/],
  ["XS (other)", /^(fx|xs|c_)\w*/],
  ["USB (TinyUSB)", /^(tud_|tu_|dcd_|usbd_|_usbd|hw_endpoint|cdcd_|tusb_)/],
  ["Moddable modules", /^(mod|xs_|_xs)\w*/],
  ["Pico SDK / runtime", /^(gpio_|irq_|isr_|hardware_|timer_|time_|alarm_|busy_|sleep_|spin_|critical_|mutex_|sem_|uart_|spi_|__wrap_|runtime_|_?pico_|clock_|save_and|restore_|best_effort)/],
];

export function groupOf(name: string): string {
  for (const [g, re] of GROUPS) if (re.test(name)) return g;
  return "other";
}

export interface ProfileRow {
  name: string;
  samples: number;
  /** Emulated µs (per edge, when windowed). */
  us: number;
  share: number;
}

export interface ProfileReport {
  sampleNs: number;
  samples: number;
  /** Edges whose windows were sampled (windowed profiles), else null. */
  edges: number | null;
  windowUs: number | null;
  functions: ProfileRow[];
  groups: ProfileRow[];
}

export class PcProfiler {
  private readonly counts = new Map<string, number>();
  private total = 0;
  private readonly edgesSeen = new Set<number>();

  constructor(
    private readonly pico: EmulatedPico,
    private readonly syms: readonly Sym[],
    private readonly sampleNs: number,
    private readonly windowUs: number | null,
  ) {}

  start(): void {
    const tick = (): void => {
      this.sample();
      this.pico.at(this.pico.now + this.sampleNs, tick);
    };
    this.pico.at(this.pico.now + this.sampleNs, tick);
  }

  private sample(): void {
    const pico = this.pico;
    if (this.windowUs !== null) {
      const edges = pico.loopbackEdges;
      const last = edges[edges.length - 1];
      if (last === undefined || pico.now - last.ns >= this.windowUs * 1000) return;
      this.edgesSeen.add(edges.length);
    }
    const name = pico.mcu.core.waiting ? "" : (symbolAt(this.syms, pico.pc)?.name ?? `0x${pico.pc.toString(16)}`);
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
    this.total++;
  }

  finish(): ProfileReport {
    const edges = this.windowUs !== null ? this.edgesSeen.size : null;
    const per = edges !== null && edges > 0 ? edges : 1;
    const row = (name: string, n: number): ProfileRow => ({ name, samples: n, us: (n * this.sampleNs) / 1000 / per, share: this.total > 0 ? n / this.total : 0 });
    const functions = [...this.counts].map(([n, c]) => row(n === "" ? "(idle: WFI)" : n, c)).sort((a, b) => b.samples - a.samples);
    const g = new Map<string, number>();
    for (const [n, c] of this.counts) g.set(groupOf(n), (g.get(groupOf(n)) ?? 0) + c);
    const groups = [...g].map(([n, c]) => row(n, c)).sort((a, b) => b.samples - a.samples);
    return { sampleNs: this.sampleNs, samples: this.total, edges, windowUs: this.windowUs, functions, groups };
  }
}

export function renderProfile(p: ProfileReport, top = 20): string {
  const unit = p.edges !== null ? `µs per edge (${p.edges} edges, ${p.windowUs} µs after each)` : "µs";
  const out = [`PC profile: ${p.samples} samples, one every ${p.sampleNs} ns of emulated time; figures in ${unit}`];
  const table = (title: string, rows: ProfileRow[]): void => {
    out.push(title);
    for (const r of rows) out.push(`  ${r.us.toFixed(1).padStart(9)}  ${(r.share * 100).toFixed(1).padStart(5)}%  ${r.name}`);
  };
  table("by group (by symbol name, a best effort):", p.groups);
  table(`top ${Math.min(top, p.functions.length)} functions:`, p.functions.slice(0, top));
  return out.join("\n") + "\n";
}
