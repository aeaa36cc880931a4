// The NeMo offline recognizers against sherpa-onnx-node's OfflineRecognizer (the
// independent runtime) on the zoo fixtures, fed the very same 16 kHz samples; plus
// batch invariance, search options and coded errors.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  loadNemoOfflineRecognizer,
  type OfflineNemoRecognizer,
} from '../../../asr/nemo/load-nemo-offline.js';
import { OfflineNemoCtcRecognizer } from '../../../asr/nemo/offline-ctc-recognizer.js';
import { offlineNemoFeatures } from '../../../asr/nemo/offline-features.js';
import { OfflineNemoTransducerRecognizer } from '../../../asr/nemo/offline-transducer-recognizer.js';
import type { AsrResult } from '../../../asr/text/asr-result.js';
import { isSpeechError } from '../../../common/errors.js';
import { openNemoOfflineModels } from '../../../models/nemo/offline-models.js';
import { loadManifest } from '../../../models/runtime/manifest.js';
import { readTokens, type SymbolTable } from '../../../models/runtime/tokens.js';
import { allClips, clip16k, haveData, zooDir } from './helpers/clips.js';
import { sherpaOfflineDecode, sherpaOfflineNemo } from './helpers/sherpa-offline.js';
import { type SherpaHead, sherpaSymbol } from './helpers/sherpa-reference.js';

const fixture = (name: string) => `${zooDir}/${name}`;

const heads: { fixture: string; head: SherpaHead }[] = [
  { fixture: 'nemo-offline-ctc', head: 'ctc' },
  { fixture: 'nemo-offline-transducer', head: 'transducer' },
];

const batchClips = [
  'clips/jfk.wav',
  'fsdd/recordings/0_theo_0.wav',
  'clips/stereo-two-speakers.wav',
  'fsdd/recordings/3_lucas_40.wav',
];

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  try {
    await promise;
  } catch (err) {
    expect(isSpeechError(err), String(err)).toBe(true);
    expect((err as { code: string }).code).toBe(code);
    return;
  }
  expect.unreachable(`expected ${code}`);
}

const symbols = (name: string): Promise<SymbolTable> => readTokens(`${fixture(name)}/tokens.txt`);

describe.runIf(haveData())('NeMo offline recognizers', () => {
  describe.each(heads)('$fixture is token-identical to sherpa-onnx (sherpa features)', (c) => {
    let recognizer: OfflineNemoRecognizer;
    const sherpa = sherpaOfflineNemo(c.fixture, c.head);
    beforeAll(async () => {
      recognizer = await loadNemoOfflineRecognizer(fixture(c.fixture), { sherpaFeatures: true });
    });
    afterAll(() => recognizer.close());

    it.each(allClips())('%s', async (clip) => {
      const samples = await clip16k(clip);
      const ours = await recognizer.transcribe(samples);
      const reference = sherpaOfflineDecode(sherpa, samples);
      expect(reference.tokens.length).toBeGreaterThan(0);
      const table = await symbols(c.fixture);
      expect(ours.tokens.map((id) => sherpaSymbol(table.symbol(id)))).toEqual(reference.tokens);
      expect(ours.timestamps).toHaveLength(reference.timestamps.length);
      ours.timestamps.forEach((t, i) => {
        expect(t).toBeCloseTo(reference.timestamps[i]!, 5);
      });
      // sherpa's text keeps '<unk>' and spaces pieces differently; the characters agree.
      const letters = (text: string) => text.replace(/<unk>|\s/g, '');
      expect(letters(ours.text)).toBe(letters(reference.text));
    });
  });

  describe.each(heads)('$fixture batches', (c) => {
    it('transcribeBatch runs one model call and equals each utterance alone', async () => {
      const audio = await Promise.all(batchClips.map(clip16k));
      const manifest = await loadManifest(fixture(c.fixture));
      const models = await openNemoOfflineModels(manifest);
      const recognizer =
        models.kind === 'ctc'
          ? new OfflineNemoCtcRecognizer(manifest, models)
          : new OfflineNemoTransducerRecognizer(manifest, models);
      const spy = models.kind === 'ctc' ? vi.spyOn(models.model, 'run') : vi.spyOn(models.encoder, 'encode');
      try {
        const alone: AsrResult[] = [];
        for (const samples of audio) alone.push(await recognizer.transcribe(samples));
        expect(spy).toHaveBeenCalledTimes(audio.length);
        spy.mockClear();

        const batched = await recognizer.transcribeBatch(audio);
        expect(spy).toHaveBeenCalledTimes(1);
        expect(spy.mock.calls[0]![0]).toHaveLength(audio.length);
        batched.forEach((r, i) => {
          expect(r.tokens.length, batchClips[i]).toBeGreaterThan(0);
          expect(r, batchClips[i]).toEqual(alone[i]);
        });
      } finally {
        await recognizer.close();
      }
    });

    it('splits by maxBatch and skips empty utterances without changing results', async () => {
      const audio = await Promise.all(batchClips.map(clip16k));
      const recognizer = await loadNemoOfflineRecognizer(fixture(c.fixture), { maxBatch: 3 });
      try {
        const whole = await loadNemoOfflineRecognizer(fixture(c.fixture));
        const expected = await whole.transcribeBatch(audio);
        await whole.close();
        const inputs = [
          audio[0]!,
          new Float32Array(0),
          audio[1]!,
          new Float32Array(100),
          audio[2]!,
          audio[3]!,
        ];
        const got = await recognizer.transcribeBatch(inputs);
        expect(got).toHaveLength(inputs.length);
        expect(got[1]).toEqual({ text: '', tokens: [], timestamps: [], words: [] });
        expect(got[3]).toEqual({ text: '', tokens: [], timestamps: [], words: [] });
        expect([got[0], got[2], got[4], got[5]]).toEqual(expected);
      } finally {
        await recognizer.close();
      }
    });
  });

  it.each(heads)('$fixture: words have 80 ms times inside the audio and a confidence', async (c) => {
    const recognizer = await loadNemoOfflineRecognizer(fixture(c.fixture));
    try {
      expect(recognizer.info).toMatchObject({
        mode: 'offline',
        secondsPerFrame: 0.08,
        featurePreset: 'nemo-native',
      });
      const samples = await clip16k('clips/jfk.wav');
      const r = await recognizer.transcribe(samples);
      const seconds = samples.length / 16000;
      expect(r.words.length).toBeGreaterThan(1);
      expect(r.words.map((w) => w.word)).toEqual(r.text.split(/\s+/).filter(Boolean));
      for (const t of r.timestamps) expect(Math.abs(t / 0.08 - Math.round(t / 0.08))).toBeLessThan(1e-9);
      r.words.forEach((w, i) => {
        expect(w.start).toBeGreaterThanOrEqual(i > 0 ? r.words[i - 1]!.start : 0);
        expect(w.end).toBeGreaterThanOrEqual(w.start);
        expect(w.end).toBeLessThanOrEqual(seconds + 0.08);
        expect(w.confidence).toBeGreaterThan(0);
        expect(w.confidence).toBeLessThanOrEqual(1);
      });
    } finally {
      await recognizer.close();
    }
  });

  // The phrase was picked by trying each word piece on this fixture and clip: the plain
  // beam emits '\u2581is' at most once and a boost of 4 makes it win more often.
  it.each(heads)('$fixture: hotwords bias the beam search towards a phrase', async (c) => {
    const recognizer = await loadNemoOfflineRecognizer(fixture(c.fixture));
    try {
      const samples = await clip16k('clips/jfk.wav');
      const target = (await symbols(c.fixture)).idOf('\u2581is');
      expect(target).toBeDefined();
      const count = (r: AsrResult) => r.tokens.filter((t) => t === target).length;
      const plain = await recognizer.transcribe(samples, { search: 'beam', beam: 4 });
      expect(plain.tokens.length).toBeGreaterThan(0);
      const biased = await recognizer.transcribe(samples, { hotwords: [{ phrase: 'is', boost: 4 }] });
      expect(count(biased)).toBeGreaterThan(count(plain));
      const neutral = await recognizer.transcribe(samples, { hotwords: [{ phrase: 'is', boost: 1e-9 }] });
      expect(neutral.tokens).toEqual(plain.tokens);
    } finally {
      await recognizer.close();
    }
  });

  it('reports coded errors', async () => {
    await expectCode(loadNemoOfflineRecognizer(fixture('no-such-model')), 'MODEL_NOT_FOUND');
    await expectCode(loadNemoOfflineRecognizer(fixture('nemo-streaming-ctc')), 'MODEL_MANIFEST_INVALID');
    await expectCode(
      loadNemoOfflineRecognizer(fixture('nemo-offline-ctc'), {
        sherpaFeatures: true,
        featurePreset: 'nemo-native',
      }),
      'CONFIG_INVALID',
    );
    await expectCode(loadNemoOfflineRecognizer(fixture('nemo-offline-ctc'), { beam: 0 }), 'CONFIG_INVALID');

    const recognizer = await loadNemoOfflineRecognizer(fixture('nemo-offline-transducer'));
    await expectCode(recognizer.transcribe(new Float32Array(1600), { beam: 1.5 }), 'CONFIG_INVALID');
    await recognizer.close();
    await recognizer.close(); // idempotent
    await expectCode(recognizer.transcribe(new Float32Array(1600)), 'MODEL_RELEASED');
    await expectCode(recognizer.transcribeBatch([new Float32Array(1600)]), 'MODEL_RELEASED');
  });
});

describe('offline NeMo features', () => {
  const noise = (n: number, seed: number) => {
    let s = seed;
    return Float32Array.from({ length: n }, () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s / 2147483648 - 0.5;
    });
  };

  it.each([
    ['nemo-native', 1],
    ['sherpa-offline-nemo-ctc', 0],
  ] as const)('%s per_feature: zero mean, unit std (ddof %i) per bin', (preset, ddof) => {
    const m = offlineNemoFeatures(noise(8000, 7), { preset, numMelBins: 80, normalize: 'per_feature' });
    expect(m.numFrames).toBeGreaterThan(10);
    for (const bin of [0, 41, 79]) {
      const col = Array.from({ length: m.numFrames }, (_, t) => m.data[t * m.dim + bin]!);
      const mean = col.reduce((a, b) => a + b, 0) / col.length;
      const variance = col.reduce((a, b) => a + (b - mean) ** 2, 0) / (col.length - ddof);
      expect(Math.abs(mean)).toBeLessThan(1e-5);
      expect(Math.sqrt(variance)).toBeCloseTo(1, 3);
    }
  });

  it('leaves features alone when the model says no normalisation', () => {
    const m = offlineNemoFeatures(noise(8000, 9), {
      preset: 'nemo-native',
      numMelBins: 80,
      normalize: 'none',
    });
    const col = Array.from({ length: m.numFrames }, (_, t) => m.data[t * m.dim]!);
    expect(Math.abs(col.reduce((a, b) => a + b, 0) / col.length)).toBeGreaterThan(1);
  });
});
