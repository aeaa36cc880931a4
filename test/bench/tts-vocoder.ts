/**
 * TTS vocoder speed as real-time factors (compute seconds per audio second; lower is
 * faster): the embedded Vocos vocoder ONNX with 1 and 2 intra-op threads, whole utterance
 * and streamed in 10-frame (200 ms) chunks, and Griffin-Lim in TypeScript (32 iterations,
 * one JS thread). Run: `npx tsx test/bench/tts-vocoder.ts`; `run()` is what the benchmark
 * aggregator imports.
 *
 * Input: the log-mel of the golden fixture's real speech (jfk, 3 s) tiled to 10 s.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { VocoderModel } from '../../models/tts/vocoder-model.js';
import { griffinLim } from '../../tts/audio/griffin-lim.js';
import { VocoderStream } from '../../tts/audio/vocoder-stream.js';
import { computeLogMel } from '../../tts/mel-spec.js';
import { melGoldenInput } from '../unit/tts-audio/mel-golden.js';

export interface VocoderBenchFigure {
  readonly name: string;
  /** Compute seconds per audio second. */
  readonly rtf: number;
}

const seconds = 10;
const modelDir = resolve(import.meta.dirname, '../../models/embedded/tts-vocoder');

function loadMel(): { data: Float32Array; numFrames: number; dim: number } {
  const clip = melGoldenInput('jfk-3s');
  const audio = new Float32Array(16000 * seconds);
  for (let i = 0; i < audio.length; i += clip.length) audio.set(clip.subarray(0, audio.length - i), i);
  return computeLogMel(audio);
}

/** Best of `repeats` timings after one warm-up. */
async function time(fn: () => Promise<unknown> | unknown, repeats = 5): Promise<number> {
  await fn();
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < repeats; r++) {
    const t0 = process.hrtime.bigint();
    await fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return best;
}

async function streamed(model: VocoderModel, mel: Float32Array, numFrames: number, chunk: number) {
  const stream = new VocoderStream(model);
  for (let t = 0; t < numFrames; t += chunk) {
    await stream.push(mel.subarray(t * 80, Math.min(numFrames, t + chunk) * 80));
  }
  await stream.flush();
}

export async function run(): Promise<VocoderBenchFigure[]> {
  const mel = loadMel();
  const audioSeconds = (mel.numFrames * 320) / 16000;
  const figures: VocoderBenchFigure[] = [];
  const report = (name: string, s: number) => {
    const rtf = s / audioSeconds;
    figures.push({ name, rtf });
    console.log(`  ${name.padEnd(52)} RTF ${rtf.toFixed(4)}  (${(1 / rtf).toFixed(0)}x real time)`);
  };
  console.log(`tts-vocoder: ${audioSeconds.toFixed(2)} s of audio (${mel.numFrames} frames), best of 5`);
  for (const threads of [1, 2]) {
    const model = await VocoderModel.load(modelDir, { intraOpThreads: threads });
    try {
      report(
        `vocoder ONNX, ${threads} thread(s), whole utterance`,
        await time(() => model.synthesize(mel.data, mel.numFrames)),
      );
      report(
        `vocoder ONNX, ${threads} thread(s), streamed 10-frame chunks`,
        await time(() => streamed(model, mel.data, mel.numFrames, 10)),
      );
    } finally {
      await model.release();
    }
  }
  report('Griffin-Lim TS, 32 iterations, one JS thread', await time(() => griffinLim(mel), 2));
  return figures;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
