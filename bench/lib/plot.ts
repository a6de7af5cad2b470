/**
 * The ratio chart of a bench run: one horizontal bar per variant, grouped by
 * engine and case, length = × baseline on a log axis (so 0.5× and 2× are
 * equally far from 1), the targets drawn as marks and the bars that carry a
 * target coloured met or missed. Hand-written SVG (escaping shared with
 * the HIL plots), deterministic (same results → same bytes).
 */
import { esc } from "../../tools/hil/svg.js";
import type { CaseResult } from "./report.js";

const ROW = 18;
const GROUP_GAP = 14;

export function renderRatioSvg(results: CaseResult[], title: string): string {
  const W = 980;
  const labelW = 430;
  const L = labelW + 20;
  const R = 70;
  const plotW = W - L - R;
  const top = 64;
  let maxR = 2;
  for (const r of results) for (const v of r.variants) if (v.ratio > maxR) maxR = v.ratio;
  const lo = 0.25;
  const hi = Math.pow(2, Math.ceil(Math.log2(maxR * 1.05)));
  const x = (ratio: number): number => L + (plotW * (Math.log2(Math.max(ratio, lo)) - Math.log2(lo))) / (Math.log2(hi) - Math.log2(lo));
  const rows = results.reduce((n, r) => n + 1 + r.variants.length, 0);
  const H = top + rows * ROW + results.length * GROUP_GAP + 50;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`);
  out.push(`<text x="${W / 2}" y="40" text-anchor="middle" fill="#555">time per unit ÷ the baseline's, measured in the same run (log axis); green: a target met, red: missed, ▮ the target</text>`);
  // axis: powers of two
  const axisY = H - 34;
  for (let v = lo; v <= hi + 1e-9; v *= 2) {
    const px = x(v);
    out.push(`<line x1="${px.toFixed(1)}" y1="${top - 6}" x2="${px.toFixed(1)}" y2="${axisY}" stroke="${v === 1 ? "#333" : "#ddd"}"${v === 1 ? ' stroke-width="1.5"' : ""}/>`);
    out.push(`<text x="${px.toFixed(1)}" y="${axisY + 14}" text-anchor="middle">${v}×</text>`);
  }
  let y = top;
  for (const r of results) {
    out.push(`<text x="8" y="${y + 12}" font-weight="bold">${esc(`${r.engine} · ${r.title}`)}</text>`);
    y += ROW;
    for (const v of r.variants) {
      const t = r.targets.find((tt) => tt.label === v.label);
      const fill = t === undefined ? "#8c9bb0" : t.met ? "#2ca02c" : "#d62728";
      const x0 = x(1);
      const x1 = x(v.ratio);
      const bx = Math.min(x0, x1);
      out.push(`<text x="20" y="${y + 12}">${esc(v.label.length > 70 ? `${v.label.slice(0, 69)}…` : v.label)}</text>`);
      out.push(`<rect x="${bx.toFixed(1)}" y="${y + 3}" width="${Math.max(1, Math.abs(x1 - x0)).toFixed(1)}" height="${ROW - 6}" fill="${fill}"/>`);
      // the figure goes right of the bar, and of the target mark if that is further
      const textX = Math.max(x0, x1, t === undefined ? 0 : x(t.maxRatio) + 2) + 4;
      out.push(`<text x="${textX.toFixed(1)}" y="${y + 12}">${v.ratio.toFixed(2)}×</text>`);
      if (t !== undefined) out.push(`<rect x="${(x(t.maxRatio) - 1.5).toFixed(1)}" y="${y}" width="3" height="${ROW}" fill="#000"/>`);
      y += ROW;
    }
    y += GROUP_GAP;
  }
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}
