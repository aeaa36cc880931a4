/**
 * How cost grows, as one SVG for BENCHMARKS.md: streaming throughput against the number of
 * streams (ours batched vs sherpa-onnx-node one stream per call, per model size),
 * Paraformer throughput against file length, and live word latency against concurrent
 * streams. Every point is measured by the committed benches in this run
 * (asr-streaming.ts, paraformer.ts, load.ts); nothing is typed in.
 *
 * Run: npx tsx test/bench/plot-scaling.ts [--streams 1,2,4,8,16,32,64] [--repeats R]
 *        [--load-n 1,25,50,75,100,125] [--out test/bench/figures/scaling.svg]
 * The figures are also written beside the SVG (scaling.json); `--replot FILE.json` draws
 * them again without measuring.
 * Models: the shipped digits models, plus the larger zoo ones when exported
 * (/usr/bin/python3 models/py/zoo/export_bench_model.py nemo|paraformer).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type AsrBenchFigure, run as runAsr } from './asr-streaming.js';
import { type LoadResult, run as runLoad } from './load.js';
import { type ParaformerBenchFigure, run as runParaformer } from './paraformer.js';
import { type ChartSpec, chartsSvg, type Series } from './svg-chart.js';

const root = path.resolve(import.meta.dirname, '../..');

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The benches read their options from argv: give them this script's defaults. */
function defaultArg(name: string, value: string): void {
  if (option(name) === undefined) process.argv.push(`--${name}`, value);
}

defaultArg('streams', '1,2,4,8,16,32,64');
defaultArg('heads', 'ctc');
defaultArg('repeats', '1');
const out = path.resolve(root, option('out') ?? 'test/bench/figures/scaling.svg');
const loadN = (option('load-n') ?? '1,25,50,75,100,125').split(',').map(Number);

const existing = (...dirs: string[]) => dirs.map((d) => path.join(root, d)).filter((d) => existsSync(d));
const streamingModels = existing(
  'models/embedded/digits-fastconformer',
  'models/py/work/bench-models/nemo-streaming-hybrid-256x17',
);
const paraformerModels = existing(
  'models/embedded/digits-paraformer',
  'models/py/work/bench-models/paraformer-offline-256x24',
);

interface Measured {
  readonly asr: AsrBenchFigure[];
  readonly para: ParaformerBenchFigure[];
  readonly load: LoadResult;
  readonly caption: string;
}

async function measure(): Promise<Measured> {
  const asr = await runAsr(streamingModels);
  const para = await runParaformer(paraformerModels);
  const load = await runLoad({ fixedN: loadN });
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const repeats = option('repeats');
  const caption = `${new Date().toISOString().slice(0, 10)}, ${cpu}, ${os.cpus().length} cores, node ${process.version}, 1 onnxruntime thread per side, best of ${repeats}; npx tsx test/bench/plot-scaling.ts`;
  return { asr, para, load, caption };
}

const replot = option('replot');
const measured: Measured = replot ? JSON.parse(readFileSync(replot, 'utf8')) : await measure();
const { asr, para, load } = measured;

const byModel = <T extends { model: string }>(figures: readonly T[]) => {
  const groups = new Map<string, T[]>();
  for (const f of figures) groups.set(f.model, [...(groups.get(f.model) ?? []), f]);
  return groups;
};

const asrSeries: Series[] = [];
for (const [model, figures] of byModel(asr)) {
  asrSeries.push({ name: `ours, ${model}`, points: figures.map((f) => [f.streams, f.oursXRealTime]) });
  asrSeries.push({
    name: `sherpa, ${model}`,
    points: figures.map((f) => [f.streams, f.sherpaXRealTime]),
    dashed: true,
  });
}

const paraSeries: Series[] = [];
for (const [model, figures] of byModel(para.filter((f) => f.case.startsWith('1 file')))) {
  const sorted = [...figures].sort((a, b) => a.audioSeconds - b.audioSeconds);
  paraSeries.push({ name: `ours, ${model}`, points: sorted.map((f) => [f.audioSeconds, f.oursXRealTime]) });
  paraSeries.push({
    name: `sherpa, ${model}`,
    points: sorted.map((f) => [f.audioSeconds, f.sherpaXRealTime]),
    dashed: true,
  });
}

const charts: ChartSpec[] = [
  {
    title: 'Streaming ASR throughput (CTC)',
    xLabel: 'concurrent streams (all audio fed at once)',
    yLabel: 'x real time, all streams',
    xLog: true,
    yLog: true,
    series: asrSeries,
  },
  {
    title: 'Paraformer, one file at a time',
    xLabel: 'file length (s)',
    yLabel: 'x real time',
    xLog: true,
    yLog: true,
    series: paraSeries,
  },
  {
    title: `Live streams at real time (${load.model})`,
    xLabel: 'concurrent WebSocket streams',
    yLabel: 'word latency (ms)',
    series: [
      { name: 'p50', points: load.figures.map((f) => [f.n, f.wordP50Ms]) },
      { name: 'p95', points: load.figures.map((f) => [f.n, f.wordP95Ms]) },
    ],
    hLine: { y: 200, label: 'p95 target 200 ms' },
  },
];

mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, chartsSvg(charts, measured.caption));
if (!replot) writeFileSync(out.replace(/\.svg$/, '.json'), `${JSON.stringify(measured, null, 1)}\n`);
console.log(`wrote ${path.relative(root, out)}`);
