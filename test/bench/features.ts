/**
 * Feature extraction speed, as multiples of real time on one core (JS runs the
 * extractor on one thread). Run: `npx tsx test/bench/features.ts`; `run()` is what the
 * benchmark aggregator imports.
 *
 * Input: the real speech clip of the golden fixture (jfk, 2.5 s), tiled to 60 s.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { computeFeatures, createOnlineExtractor, type FeatureSpec } from '../../asr/features/index.js';

export interface FeatureBenchFigure {
  readonly name: string;
  /** Seconds of audio processed per second of compute. */
  readonly xRealTime: number;
  /** Milliseconds of compute per second of audio. */
  readonly msPerAudioSecond: number;
}

const sampleRate = 16000;
const seconds = 60;

function loadAudio(): Float32Array {
  const dir = resolve(import.meta.dirname, '../fixtures/features');
  const index = JSON.parse(readFileSync(resolve(dir, 'golden.json'), 'utf8')) as {
    inputs: { name: string; offset: number; length: number }[];
  };
  const input = index.inputs.find((i) => i.name === 'jfk-2.5s')!;
  const bytes = readFileSync(resolve(dir, 'golden.f32'));
  const all = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(all.buffer).set(bytes);
  const clip = all.subarray(input.offset, input.offset + input.length);
  const out = new Float32Array(sampleRate * seconds);
  for (let i = 0; i < out.length; i += clip.length)
    out.set(clip.subarray(0, Math.min(clip.length, out.length - i)), i);
  return out;
}

/** Best of `repeats` timings (after one warm-up), to keep scheduler noise out. */
function time(fn: () => void, repeats = 5): number {
  fn();
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < repeats; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return best;
}

function streamed(spec: string | FeatureSpec, audio: Float32Array, chunk: number): () => void {
  return () => {
    const x = createOnlineExtractor(spec);
    for (let i = 0; i < audio.length; i += chunk) {
      x.acceptWaveform(audio.subarray(i, i + chunk));
      x.discardBefore(x.numFramesReady);
    }
    x.inputFinished();
  };
}

export async function run(): Promise<FeatureBenchFigure[]> {
  const audio = loadAudio();
  const chunk100ms = sampleRate / 10;
  const cases: [string, () => void][] = [
    [
      'fbank kaldi (sherpa-online-nemo-ctc), whole clip',
      () => computeFeatures(audio, 'sherpa-online-nemo-ctc'),
    ],
    [
      'fbank librosa (sherpa-online-nemo-transducer), whole clip',
      () => computeFeatures(audio, 'sherpa-online-nemo-transducer'),
    ],
    [
      'fbank paraformer (hamming, x32768, snip), whole clip',
      () => computeFeatures(audio, 'sherpa-offline-paraformer'),
    ],
    ['NeMo mel per_feature (nemo-native), whole clip', () => computeFeatures(audio, 'nemo-native')],
    ['streaming fbank kaldi, 100 ms chunks', streamed('sherpa-online-nemo-ctc', audio, chunk100ms)],
    ['streaming fbank librosa, 100 ms chunks', streamed('sherpa-online-nemo-transducer', audio, chunk100ms)],
    [
      'streaming NeMo mel (nemo-native-streaming), 100 ms chunks',
      streamed('nemo-native-streaming', audio, chunk100ms),
    ],
  ];
  const figures: FeatureBenchFigure[] = [];
  console.log(`features: ${seconds} s of 16 kHz speech, one core, best of 5`);
  for (const [name, fn] of cases) {
    const s = time(fn);
    const figure = { name, xRealTime: seconds / s, msPerAudioSecond: (1000 * s) / seconds };
    figures.push(figure);
    console.log(
      `  ${name.padEnd(62)} ${figure.xRealTime.toFixed(0).padStart(6)}x real time  (${figure.msPerAudioSecond.toFixed(3)} ms per audio second)`,
    );
  }
  return figures;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
