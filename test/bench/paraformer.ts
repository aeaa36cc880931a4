/**
 * Paraformer file transcription: our offline runtime (asr/paraformer) vs sherpa-onnx-node's
 * offline Paraformer on the same model.onnx, the same samples, one intra-op thread each,
 * in one run (ratios, since machines are noisy).
 *
 * - one file at a time: real recordings of ~5 s (a LibriVox sentence), 11 s (jfk.wav) and
 *   60 s (vad-speech-60s.wav, speech with pauses); x real time = audio / wall time,
 *   features included on both sides (each side computes its own from the samples);
 * - a batch of 8 files (the 8 longest Hi-Fi TTS 6097 sentences, 4.6-10.1 s): ours in one
 *   `transcribeBatch` call (one padded model run) and, for reference, one `transcribe` per
 *   file; sherpa one `decode(stream)` per file (its Node API has no batched offline decode).
 * Every timed file is also checked for token identity (ours vs sherpa), so the two sides
 * do the same work. Best of R runs per side, alternating.
 *
 * Run: node --import tsx test/bench/paraformer.ts [model-dir...] [--quick] [--repeats R]
 *      (also `npm run bench -- paraformer`). Default models: the zoo fixture
 *      test/fixtures/zoo/paraformer-offline and, when exported, the larger
 *      models/py/work/bench-models/paraformer-offline-256x24
 *      (/usr/bin/python3 models/py/zoo/export_bench_model.py paraformer).
 * --quick: the 5 s and 11 s files and the batch, one run each side.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { OfflineParaformerRecognizer, type ParaformerAsrResult } from '../../asr/paraformer/index.js';
import { loadManifest, type ModelManifest } from '../../models/runtime/index.js';
import {
  loadClip,
  type SherpaOfflineRecognizer,
  type SherpaResult,
  sherpaDecodeOffline,
} from '../unit/paraformer/helpers.js';

const root = path.resolve(import.meta.dirname, '../..');

const SINGLE_FILES: readonly { label: string; clip: string; quick: boolean }[] = [
  { label: '5 s', clip: 'librivox/sense_and_sensibility_01_austen_64kb-0890.wav', quick: true },
  { label: '11 s', clip: 'clips/jfk.wav', quick: true },
  { label: '60 s', clip: 'clips/vad-speech-60s.wav', quick: false },
];
const BATCH_FILES: readonly string[] = [
  'astralplane_03_leadbeater_0639',
  'hartmann_12_fawcett_0088',
  'nada_lily_12_haggard_0523',
  'astralplane_06_leadbeater_0349',
  'roots_04_morris_0057',
  'glitteringplain_11_morris_0037',
  'presentpictureofnsw_01_mann_0076',
  'astralplane_04_leadbeater_0040',
].map((name) => `hifitts-6097/audio/${name}.wav`);

export interface ParaformerBenchFigure {
  model: string;
  case: string;
  audioSeconds: number;
  oursXRealTime: number;
  sherpaXRealTime: number;
  ratio: number;
  /** Files whose tokens are identical on both sides, of `files`. */
  identical: number;
  files: number;
}

const sherpaNode = createRequire(import.meta.url)('sherpa-onnx-node') as {
  OfflineRecognizer: new (config: object) => SherpaOfflineRecognizer;
};

/** sherpa's offline Paraformer for a model directory, configured as helpers.sherpaOffline(). */
function sherpaOfflineParaformer(dir: string): SherpaOfflineRecognizer {
  return new sherpaNode.OfflineRecognizer({
    featConfig: { sampleRate: 16000, featureDim: 80 },
    modelConfig: {
      paraformer: { model: path.join(dir, 'model.onnx') },
      tokens: path.join(dir, 'tokens.txt'),
      numThreads: 1,
      provider: 'cpu',
      debug: 0,
    },
    decodingMethod: 'greedy_search',
  });
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function timed<T>(f: () => Promise<T> | T): Promise<[T, number]> {
  const t0 = performance.now();
  const value = await f();
  return [value, (performance.now() - t0) / 1000];
}

function sameTokens(manifest: ModelManifest, ours: ParaformerAsrResult, theirs: SherpaResult): boolean {
  const symbols = ours.tokens.map((t) => manifest.tokens.symbol(t));
  return JSON.stringify(symbols) === JSON.stringify(theirs.tokens);
}

interface Case {
  label: string;
  clips: Float32Array[];
  /** Ours: one batched call for all clips, or one call per clip. */
  oursMode: 'batch' | 'sequential';
}

async function measure(
  manifest: ModelManifest,
  ours: OfflineParaformerRecognizer,
  sherpa: SherpaOfflineRecognizer,
  c: Case,
  repeats: number,
): Promise<ParaformerBenchFigure> {
  const oursRun = (): Promise<ParaformerAsrResult[]> =>
    c.oursMode === 'batch'
      ? ours.transcribeBatch(c.clips)
      : (async () => {
          const out: ParaformerAsrResult[] = [];
          for (const clip of c.clips) out.push(await ours.transcribe(clip));
          return out;
        })();
  const sherpaRun = (): SherpaResult[] => c.clips.map((clip) => sherpaDecodeOffline(sherpa, clip));
  // Warm-up on the same input (allocator and onnxruntime's per-shape work), then alternate.
  let [oursResults] = await timed(oursRun);
  let [sherpaResults] = await timed(sherpaRun);
  const oursTimes: number[] = [];
  const sherpaTimes: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const [o, ot] = await timed(oursRun);
    const [s, st] = await timed(sherpaRun);
    oursResults = o;
    sherpaResults = s;
    oursTimes.push(ot);
    sherpaTimes.push(st);
  }
  const audioSeconds = c.clips.reduce((n, clip) => n + clip.length, 0) / 16000;
  const oursX = audioSeconds / Math.min(...oursTimes);
  const sherpaX = audioSeconds / Math.min(...sherpaTimes);
  const identical = oursResults.filter((r, i) => sameTokens(manifest, r, sherpaResults[i]!)).length;
  const tokens = oursResults.reduce((n, r) => n + r.tokens.length, 0);
  const figure: ParaformerBenchFigure = {
    model: manifest.id,
    case: c.label,
    audioSeconds,
    oursXRealTime: oursX,
    sherpaXRealTime: sherpaX,
    ratio: oursX / sherpaX,
    identical,
    files: c.clips.length,
  };
  console.log(
    `  ${manifest.id.padEnd(26)} ${c.label.padEnd(24)} ${audioSeconds.toFixed(1).padStart(5)} s: ours ${oursX.toFixed(1).padStart(6)}x  sherpa ${sherpaX.toFixed(1).padStart(6)}x  ratio ${figure.ratio.toFixed(2)}  tokens identical ${identical}/${c.clips.length} (${tokens} tokens)`,
  );
  return figure;
}

export async function run(modelDirs?: string[]): Promise<ParaformerBenchFigure[]> {
  const quick = process.argv.includes('--quick');
  const repeats = option('repeats') === undefined ? (quick ? 1 : 3) : Number(option('repeats'));
  const dirs =
    modelDirs && modelDirs.length > 0
      ? modelDirs
      : [
          path.join(root, 'test/fixtures/zoo/paraformer-offline'),
          path.join(root, 'models/py/work/bench-models/paraformer-offline-256x24'),
        ].filter((d) => existsSync(d));
  const singles = SINGLE_FILES.filter((f) => !quick || f.quick);
  const single = await Promise.all(singles.map((f) => loadClip(f.clip)));
  const batch = await Promise.all(BATCH_FILES.map((f) => loadClip(f)));
  const cases: Case[] = [
    ...singles.map((f, i) => ({
      label: `1 file, ${f.label}`,
      clips: [single[i]!],
      oursMode: 'batch' as const,
    })),
    { label: '8 files, ours batched', clips: batch, oursMode: 'batch' },
    { label: '8 files, ours one by one', clips: batch, oursMode: 'sequential' },
  ];
  console.log(
    `offline Paraformer: ours (asr/paraformer) vs sherpa-onnx-node OfflineRecognizer, 1 thread each, best of ${repeats}; sherpa decodes the 8 files one by one`,
  );
  const figures: ParaformerBenchFigure[] = [];
  for (const dir of dirs) {
    const manifest = await loadManifest(dir);
    const ours = await OfflineParaformerRecognizer.load(manifest, { intraOpThreads: 1, interOpThreads: 1 });
    const sherpa = sherpaOfflineParaformer(dir);
    try {
      for (const c of cases) figures.push(await measure(manifest, ours, sherpa, c, repeats));
    } finally {
      await ours.close();
    }
  }
  return figures;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  await run(args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--repeats')));
}
