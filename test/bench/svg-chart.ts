/**
 * Small line charts as SVG text, for the figures the benches print (no plotting library
 * is installed here, and an SVG of a few polylines needs none). Axes may be log-scaled;
 * ticks are the powers of two (log) or five even steps (linear).
 */

export interface Series {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
  /** Drawn dashed (e.g. the peer) instead of solid. */
  readonly dashed?: boolean;
}

export interface ChartSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly xLog?: boolean;
  readonly yLog?: boolean;
  readonly series: readonly Series[];
  /** Horizontal reference line (e.g. a target), with its label. */
  readonly hLine?: { readonly y: number; readonly label: string };
}

const WIDTH = 420;
const HEIGHT = 300;
const MARGIN = { left: 58, right: 12, top: 28, bottom: 110 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v: number) =>
  Number.isInteger(v) ? String(v) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toPrecision(2);

interface Axis {
  map(v: number): number;
  ticks: number[];
}

function axis(values: number[], log: boolean, from: number, to: number): Axis {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (log) {
    const a = Math.floor(Math.log2(lo));
    const b = Math.ceil(Math.log2(hi));
    const span = Math.max(1, b - a);
    const step = Math.ceil(span / 8);
    const ticks: number[] = [];
    for (let e = a; e <= b; e += step) ticks.push(2 ** e);
    return { map: (v) => from + ((Math.log2(v) - a) / span) * (to - from), ticks };
  }
  lo = Math.min(0, lo);
  hi = lo + (hi - lo) * 1.08; // headroom above the highest point or reference line
  if (hi === lo) hi = lo + 1;
  const step = niceStep((hi - lo) / 5);
  hi = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let v = lo; v <= hi + 1e-9; v += step) ticks.push(v);
  return { map: (v) => from + ((v - lo) / (hi - lo)) * (to - from), ticks };
}

function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

/** One chart as an SVG <g> of WIDTH x HEIGHT, placed at (dx, 0). */
function chart(spec: ChartSpec, dx: number): string {
  const xs = spec.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = [
    ...spec.series.flatMap((s) => s.points.map((p) => p[1])),
    ...(spec.hLine ? [spec.hLine.y] : []),
  ];
  const x = axis(xs, spec.xLog ?? false, MARGIN.left, WIDTH - MARGIN.right);
  const y = axis(ys, spec.yLog ?? false, HEIGHT - MARGIN.bottom, MARGIN.top);
  const out: string[] = [`<g transform="translate(${dx},0)" font-family="sans-serif" font-size="11">`];
  out.push(`<text x="${WIDTH / 2}" y="16" text-anchor="middle" font-size="13">${esc(spec.title)}</text>`);
  const bottom = HEIGHT - MARGIN.bottom;
  for (const t of x.ticks) {
    const px = x.map(t).toFixed(1);
    out.push(`<line x1="${px}" y1="${MARGIN.top}" x2="${px}" y2="${bottom}" stroke="#eee"/>`);
    out.push(`<text x="${px}" y="${bottom + 14}" text-anchor="middle">${fmt(t)}</text>`);
  }
  for (const t of y.ticks) {
    const py = y.map(t).toFixed(1);
    out.push(`<line x1="${MARGIN.left}" y1="${py}" x2="${WIDTH - MARGIN.right}" y2="${py}" stroke="#eee"/>`);
    out.push(
      `<text x="${MARGIN.left - 4}" y="${py}" text-anchor="end" dominant-baseline="middle">${fmt(t)}</text>`,
    );
  }
  out.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${WIDTH - MARGIN.left - MARGIN.right}" height="${bottom - MARGIN.top}" fill="none" stroke="#999"/>`,
  );
  out.push(`<text x="${WIDTH / 2}" y="${bottom + 30}" text-anchor="middle">${esc(spec.xLabel)}</text>`);
  out.push(
    `<text transform="translate(14,${(MARGIN.top + bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(spec.yLabel)}</text>`,
  );
  if (spec.hLine) {
    const py = y.map(spec.hLine.y).toFixed(1);
    out.push(
      `<line x1="${MARGIN.left}" y1="${py}" x2="${WIDTH - MARGIN.right}" y2="${py}" stroke="#444" stroke-dasharray="2,3"/>`,
    );
    out.push(`<text x="${MARGIN.left + 4}" y="${Number(py) - 4}">${esc(spec.hLine.label)}</text>`);
  }
  spec.series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const pts = s.points.map(([px, py]) => `${x.map(px).toFixed(1)},${y.map(py).toFixed(1)}`).join(' ');
    const dash = s.dashed ? ' stroke-dasharray="5,4"' : '';
    out.push(`<polyline points="${pts}" fill="none" stroke="${colour}" stroke-width="1.8"${dash}/>`);
    for (const [px, py] of s.points) {
      out.push(
        `<circle cx="${x.map(px).toFixed(1)}" cy="${y.map(py).toFixed(1)}" r="2.5" fill="${colour}"/>`,
      );
    }
    const ly = bottom + 46 + i * 14;
    const lx = MARGIN.left;
    out.push(
      `<line x1="${lx}" y1="${ly}" x2="${lx + 18}" y2="${ly}" stroke="${colour}" stroke-width="1.8"${dash}/>`,
    );
    out.push(`<text x="${lx + 22}" y="${ly}" dominant-baseline="middle">${esc(s.name)}</text>`);
  });
  out.push('</g>');
  return out.join('\n');
}

/** Charts side by side in one SVG document, with a caption line under them. */
export function chartsSvg(charts: readonly ChartSpec[], caption: string): string {
  const width = WIDTH * charts.length;
  const height = HEIGHT + 22;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<title>${esc(charts.map((c) => c.title).join('; '))}</title>`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    ...charts.map((c, i) => chart(c, i * WIDTH)),
    `<text x="8" y="${height - 6}" font-family="sans-serif" font-size="10" fill="#555">${esc(caption)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
