// The Silero VAD (user-supplied model at ../shared/models/silero_vad.onnx; skipped when
// it is absent) against sherpa-onnx-node's Vad with the same model and parameters:
// the segment boundaries must be the same samples. sherpa is fed one 512-sample window
// per call (its examples' usage, where its per-call decision is a per-window decision);
// ours gets random chunk sizes, since its decisions do not depend on chunking.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SileroVad } from '../../../asr/vad/silero-vad.js';
import type { SpeechSegment } from '../../../asr/vad/vad-segmenter.js';
import { VoiceActivityDetector } from '../../../asr/vad/voice-activity-detector.js';
import { isSpeechError } from '../../../common/errors.js';
import { SileroVadModel } from '../../../models/vad/silero-vad-model.js';
import { clip16k, haveData, randomChunks, zooDir } from '../asr/helpers/clips.js';

const modelPath = path.resolve(import.meta.dirname, '../../../../shared/models/silero_vad.onnx');
const haveModel = existsSync(modelPath) && haveData();

// sherpa-onnx-node ships no type declarations: the part used here.
interface SherpaVad {
  acceptWaveform(samples: Float32Array): void;
  isEmpty(): boolean;
  front(enableExternalBuffer?: boolean): { start: number; samples: Float32Array };
  pop(): void;
  flush(): void;
}
interface Sherpa {
  Vad: new (config: Record<string, unknown>, bufferSeconds: number) => SherpaVad;
}

function sherpaSegments(samples: Float32Array, minSilenceSeconds = 0.5): SpeechSegment[] {
  const sherpa = createRequire(import.meta.url)('sherpa-onnx-node') as Sherpa;
  const vad = new sherpa.Vad(
    {
      sileroVad: {
        model: modelPath,
        threshold: 0.5,
        minSilenceDuration: minSilenceSeconds,
        minSpeechDuration: 0.25,
        maxSpeechDuration: 20,
        windowSize: 512,
      },
      sampleRate: 16000,
      numThreads: 1,
      debug: false,
    },
    // Larger than any clip: sherpa's buffer never has to grow.
    300,
  );
  const out: SpeechSegment[] = [];
  const drain = () => {
    while (!vad.isEmpty()) {
      const s = vad.front(false);
      out.push({ start: s.start, end: s.start + s.samples.length });
      vad.pop();
    }
  };
  for (let i = 0; i < samples.length; i += 512) {
    vad.acceptWaveform(samples.slice(i, Math.min(samples.length, i + 512)));
    drain();
  }
  vad.flush();
  drain();
  return out;
}

async function ourSegments(
  model: SileroVadModel,
  chunks: Iterable<Float32Array>,
  minSilenceSeconds = 0.5,
): Promise<SpeechSegment[]> {
  const detector = new VoiceActivityDetector(model, { minSilenceSeconds });
  const out: SpeechSegment[] = [];
  for (const chunk of chunks) out.push(...(await detector.acceptAudio(chunk)));
  const last = detector.flush();
  if (last) out.push(last);
  return out;
}

describe.runIf(haveModel)('Silero VAD vs sherpa-onnx', () => {
  it.each([
    ['clips/vad-speech-60s.wav', 11],
    ['clips/speech-8k-169s.wav', 12],
    ['clips/jfk.wav', 13],
    ['clips/vad-speech.mp3', 14],
  ])('%s: the same segments, to the sample', async (clip, seed) => {
    const samples = await clip16k(clip);
    const model = await SileroVadModel.load(modelPath, { intraOpThreads: 1 });
    try {
      const expected = sherpaSegments(samples);
      expect(expected.length).toBeGreaterThan(0);
      const ours = await ourSegments(model, randomChunks(samples, seed, 1, 20000));
      expect(ours).toEqual(expected);
    } finally {
      await model.release();
    }
  });

  it('agrees on segments past max speech (the 0.9 / 0.1 s rule) and with another min silence', async () => {
    const model = await SileroVadModel.load(modelPath, { intraOpThreads: 1 });
    try {
      const long = await clip16k('clips/speech-8k-169s.wav');
      const segments = await ourSegments(model, randomChunks(long, 3, 100, 8000));
      // At default settings this clip has a segment longer than 20 s.
      expect(segments.some((s) => s.end - s.start > 20 * 16000)).toBe(true);
      const samples = await clip16k('clips/vad-speech-60s.wav');
      const expected = sherpaSegments(samples, 1.5);
      expect(expected.some((s) => s.end - s.start > 20 * 16000)).toBe(true);
      expect(await ourSegments(model, randomChunks(samples, 4, 1, 20000), 1.5)).toEqual(expected);
    } finally {
      await model.release();
    }
  });

  it('gives the same probabilities whatever the chunking, and again after reset()', async () => {
    const samples = (await clip16k('clips/jfk.wav')).subarray(0, 16000 * 4);
    const model = await SileroVadModel.load(modelPath, { intraOpThreads: 1 });
    try {
      const vad = new SileroVad(model);
      const whole = await vad.acceptAudio(samples);
      // Window k needs 64 + (k + 1) * 512 samples.
      expect(whole).toHaveLength(Math.floor((samples.length - 64) / 512));
      expect(whole.some((p) => p > 0.5)).toBe(true);
      vad.reset();
      const pieces: number[] = [];
      for (const chunk of randomChunks(samples, 5, 1, 3000)) pieces.push(...(await vad.acceptAudio(chunk)));
      expect(pieces).toEqual(whole);
      expect(vad.windows).toBe(whole.length);
    } finally {
      await model.release();
    }
  });
});

describe('SileroVadModel loading', () => {
  it('reports a missing file as MODEL_NOT_FOUND', async () => {
    await expect(SileroVadModel.load('/nonexistent/silero_vad.onnx')).rejects.toSatisfy((err) =>
      isSpeechError(err, 'MODEL_NOT_FOUND'),
    );
  });

  it('rejects a graph that is not Silero v5 with MODEL_CONTRACT_MISMATCH', async () => {
    await expect(
      SileroVadModel.load(path.join(zooDir, 'nemo-streaming-ctc', 'model.onnx')),
    ).rejects.toSatisfy(
      (err) => isSpeechError(err, 'MODEL_CONTRACT_MISMATCH') && /not a Silero VAD v5 graph/.test(String(err)),
    );
  });

  it('rejects an unsupported sample rate', async () => {
    await expect(SileroVadModel.load(modelPath, { sampleRate: 22050 })).rejects.toSatisfy((err) =>
      isSpeechError(err, 'ASR_UNSUPPORTED_OPTION'),
    );
  });
});
