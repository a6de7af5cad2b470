/**
 * Hand-written SVG of a probe run: overlaid per-mode histograms (share of
 * each mode's samples per bin, on a latency axis starting at 0 so the ratios
 * read off the picture) above per-mode CDFs with p50/p99 markers. No
 * dependencies; the output is deterministic (same report → same bytes).
 * `renderHtml` wraps it with the statistics table.
 */
import type { ModeName } from "../../firmware/irq-latency/probe.js";
import { histogram, niceStep, renderTable, type Report } from "./report.js";

const COLORS: Record<ModeName, string> = { a: "#1f77b4", b: "#2ca02c", c: "#d62728", d: "#9467bd" };

/** Text escaped for SVG/HTML content and attribute values. */
export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function n2(x: number): string {
  return String(Math.round(x * 100) / 100);
}

function ticks(max: number, count: number): number[] {
  const step = niceStep(max, count);
  const out: number[] = [];
  for (let v = 0; v <= max + 1e-9; v += step) out.push(Math.round(v * 1e6) / 1e6);
  return out;
}

/** A generous average advance of a 16 px bold sans-serif character (wider glyphs, µ and digits, included). */
const HEADING_CHAR_PX = 9.5;

/** Splits `text` at spaces into at most two lines of about `max` characters (the second may run longer). */
export function wrapText(text: string, max: number): string[] {
  if (text.length <= max) return [text];
  let cut = text.lastIndexOf(" ", max);
  if (cut <= 0) cut = max;
  return [text.slice(0, cut).trimEnd(), text.slice(cut).trimStart()];
}

export function renderSvg(r: Report, title?: string): string {
  const W = 860;
  const H = 640;
  const L = 70;
  const R = 30;
  const plotW = W - L - R;
  const top1 = 80;
  const h1 = 210;
  const modes = r.modes.filter((m) => (r.samples[m.mode] ?? []).length > 0);
  const top2 = top1 + h1 + 40 + 14 * modes.length;
  const h2 = 190;
  let maxV = 0;
  for (const m of modes) for (const v of r.samples[m.mode] ?? []) if (v > maxV) maxV = v;
  const xStep = niceStep(maxV * 1.05 || 1, 8);
  const xMax = Math.max(xStep, Math.ceil((maxV * 1.05 || 1) / xStep) * xStep);
  const x = (v: number) => L + (v / xMax) * plotW;
  const o: string[] = [];
  o.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12">`);
  o.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  const where = r.source.startsWith("simulator") ? "simulated (board model)" : `clock ${r.clock ?? "?"}`;
  const heading = title ?? `Edge → user code latency · board ${r.board ?? "?"} · ${where}`;
  // a long title (an --title naming the setup) wraps onto a second line rather than running off the right edge
  const headLines = wrapText(heading, Math.floor((W - L - R) / HEADING_CHAR_PX));
  headLines.forEach((line, i) => o.push(`<text x="${L}" y="${headLines.length > 1 ? 20 + 18 * i : 28}" font-size="16" font-weight="600">${esc(line)}</text>`));
  const sub = `${modes.map((m) => `${m.mode}: ${m.stats?.n ?? 0}`).join(", ")} samples${r.complete ? "" : " · INCOMPLETE stream (see problems)"}`;
  o.push(`<text x="${L}" y="${headLines.length > 1 ? 58 : 48}" fill="#555">${esc(sub)}</text>`);

  // ---- panel 1: histograms (share of each mode's samples per bin) ----
  const all: number[] = [];
  for (const m of modes) all.push(...(r.samples[m.mode] ?? []));
  const ints = all.every((v) => Number.isInteger(v));
  const binStep = niceStep(xMax, 150, ints ? 1 : 0);
  const binsPerMode = modes.map((m) => histogram(r.samples[m.mode] ?? [], 0, 0, xMax, binStep));
  let peak = 0;
  binsPerMode.forEach((bins, i) => {
    const n = (r.samples[(modes[i] as (typeof modes)[number]).mode] ?? []).length;
    for (const b of bins) peak = Math.max(peak, b.count / n);
  });
  const yTop1 = Math.max(0.05, Math.ceil((peak * 100) / niceStep(peak * 100, 5)) * niceStep(peak * 100, 5) / 100);
  const y1 = (f: number) => top1 + h1 - (f / yTop1) * h1;
  axes(o, L, top1, plotW, h1, xMax, ticks(xMax, 8), x, ticks(yTop1 * 100, 5).map((t) => t / 100), y1, (t) => `${n2(t * 100)}%`, "share of the mode's samples");
  binsPerMode.forEach((bins, i) => {
    const m = modes[i] as (typeof modes)[number];
    const n = (r.samples[m.mode] ?? []).length;
    for (const b of bins) {
      if (b.count === 0) continue;
      const f = b.count / n;
      const x0 = x(b.lo);
      const w = Math.max(1, x(b.hi) - x0 - 0.5);
      o.push(`<rect x="${n2(x0)}" y="${n2(y1(f))}" width="${n2(w)}" height="${n2(top1 + h1 - y1(f))}" fill="${COLORS[m.mode]}" fill-opacity="0.6"><title>${esc(`${m.mode} ${b.lo}-${b.hi} µs: ${b.count} samples`)}</title></rect>`);
    }
  });
  // legend: where the bars are lowest (left, middle or right)
  const legendW = 300;
  let lx = L + plotW - legendW;
  let best = Infinity;
  for (const cand of [L + plotW - legendW, L + (plotW - legendW) / 2, L + 20]) {
    let cover = 0;
    binsPerMode.forEach((bins, i) => {
      const n = (r.samples[(modes[i] as (typeof modes)[number]).mode] ?? []).length;
      for (const b of bins) if (b.count > 0 && x(b.hi) >= cand && x(b.lo) <= cand + legendW) cover += b.count / n;
    });
    if (cover < best - 1e-9) {
      best = cover;
      lx = cand;
    }
  }
  modes.forEach((m, i) => {
    const s = m.stats;
    const ly = top1 + 14 + i * 18;
    o.push(`<rect x="${lx}" y="${ly - 9}" width="12" height="12" fill="${COLORS[m.mode]}" fill-opacity="0.8"/>`);
    const text = s ? `(${m.mode}) ${m.label}: p50 ${n2(s.p50)} µs, p99 ${n2(s.p99)} µs` : `(${m.mode}) ${m.label}: no samples`;
    o.push(`<text x="${lx + 18}" y="${ly + 1}">${esc(text)}</text>`);
  });
  const rtext = (["b", "c", "d"] as const)
    .map((k) => {
      const q = r.ratios[k];
      return q ? `${k}/a p50 ${q.p50 === null ? "n/a" : q.p50.toFixed(2) + "×"}` : "";
    })
    .filter((s) => s)
    .join(" · ");
  if (rtext) o.push(`<text x="${lx}" y="${top1 + 14 + modes.length * 18 + 2}" fill="#555">${esc(rtext)}</text>`);

  // ---- panel 2: CDFs with p50 / p99 markers ----
  const y2 = (f: number) => top2 + h2 - f * h2;
  axes(o, L, top2, plotW, h2, xMax, ticks(xMax, 8), x, [0, 0.25, 0.5, 0.75, 1], y2, (t) => `${n2(t * 100)}%`, "cumulative share");
  o.push(`<text x="${L + plotW / 2}" y="${top2 + h2 + 40}" text-anchor="middle">latency from the edge to the mode's user code (µs)</text>`);
  modes.forEach((m, i) => {
    const v = Float64Array.from(r.samples[m.mode] ?? []).sort();
    const n = v.length;
    let d = `M${n2(x(v[0] as number))},${n2(y2(0))}`;
    for (let k = 0; k < n; k++) {
      const val = v[k] as number;
      if (k + 1 < n && v[k + 1] === val) continue;
      d += ` H${n2(x(val))} V${n2(y2((k + 1) / n))}`;
    }
    o.push(`<path d="${d}" fill="none" stroke="${COLORS[m.mode]}" stroke-width="2"/>`);
    const s = m.stats;
    if (s === null) return;
    for (const [p, q] of [
      ["p50", s.p50],
      ["p99", s.p99],
    ] as const) {
      const f = p === "p50" ? 0.5 : 0.99;
      o.push(`<line x1="${n2(x(q))}" y1="${n2(y2(f))}" x2="${n2(x(q))}" y2="${top2 + h2}" stroke="${COLORS[m.mode]}" stroke-dasharray="3,3" stroke-opacity="0.7"/>`);
      o.push(`<circle cx="${n2(x(q))}" cy="${n2(y2(f))}" r="3.5" fill="${COLORS[m.mode]}"/>`);
      // p50 labels right of their marker, staggered down; p99 labels in one row per mode above the panel
      const lx = p === "p50" ? x(q) + 6 : x(q);
      const ly = p === "p50" ? y2(f) + 14 + i * 13 : top2 - 8 - (modes.length - 1 - i) * 13;
      const anchor = p === "p50" ? "start" : "middle";
      if (p === "p99") o.push(`<line x1="${n2(x(q))}" y1="${n2(ly + 3)}" x2="${n2(x(q))}" y2="${n2(y2(f) - 4)}" stroke="${COLORS[m.mode]}" stroke-opacity="0.5"/>`);
      o.push(`<text x="${n2(lx)}" y="${n2(ly)}" text-anchor="${anchor}" fill="${COLORS[m.mode]}" font-size="11">${esc(`${m.mode} ${p} ${n2(q)}`)}</text>`);
    }
  });
  o.push(`</svg>`);
  return o.join("\n") + "\n";
}

function axes(
  o: string[],
  L: number,
  top: number,
  w: number,
  h: number,
  _xMax: number,
  xt: number[],
  x: (v: number) => number,
  yt: number[],
  y: (v: number) => number,
  yfmt: (v: number) => string,
  ylabel: string,
): void {
  for (const t of yt) {
    o.push(`<line x1="${L}" y1="${n2(y(t))}" x2="${L + w}" y2="${n2(y(t))}" stroke="#e5e5e5"/>`);
    o.push(`<text x="${L - 6}" y="${n2(y(t) + 4)}" text-anchor="end" fill="#444">${esc(yfmt(t))}</text>`);
  }
  for (const t of xt) {
    o.push(`<line x1="${n2(x(t))}" y1="${top + h}" x2="${n2(x(t))}" y2="${top + h + 5}" stroke="#333"/>`);
    o.push(`<text x="${n2(x(t))}" y="${top + h + 18}" text-anchor="middle" fill="#444">${esc(n2(t))}</text>`);
  }
  o.push(`<line x1="${L}" y1="${top + h}" x2="${L + w}" y2="${top + h}" stroke="#333"/>`);
  o.push(`<line x1="${L}" y1="${top}" x2="${L}" y2="${top + h}" stroke="#333"/>`);
  o.push(`<text transform="translate(${L - 50},${top + h / 2}) rotate(-90)" text-anchor="middle" fill="#444">${esc(ylabel)}</text>`);
}

export function renderHtml(r: Report, title?: string): string {
  const problems = r.problems.map((p) => `<li>${esc(p.message)}</li>`).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ioport hil · ${esc(r.board ?? "?")}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:960px}pre{background:#f6f6f6;padding:1em;overflow:auto}</style>
</head><body>
<h1>ioport hil · board ${esc(r.board ?? "?")}</h1>
<pre>${esc(renderTable(r))}</pre>
${renderSvg(r, title)}
<h2>Stream</h2>
<p>${r.lines} lines, ${r.unknownLines} not IOPL1 (skipped); ${r.complete ? "complete" : "<strong>incomplete</strong>"}.</p>
${problems ? `<ul>\n${problems}\n</ul>` : ""}
</body></html>
`;
}
