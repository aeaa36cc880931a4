// The offline Paraformer runtime against sherpa-onnx-node (the reference consumer of the
// contract) on the zoo fixture: identical tokens on every real clip, sherpa's timestamps
// wherever sherpa reports them, and batch results equal to one-by-one results.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParaformerAsrResult } from '../../../asr/paraformer/index.js';
import { OfflineParaformerRecognizer } from '../../../asr/paraformer/index.js';
import { loadManifest, type ModelManifest } from '../../../models/runtime/index.js';
import {
  CLIPS,
  loadClip,
  OFFLINE_DIR,
  type SherpaOfflineRecognizer,
  sherpaDecodeOffline,
  sherpaOffline,
} from './helpers.js';

interface WindowExpectation {
  clip: string;
  offset?: number;
  samples: number;
  tokens: string[];
  token_num: number;
  timestamps: number[] | null;
  peak_times: number[];
}
const reference = JSON.parse(readFileSync(join(OFFLINE_DIR, 'reference.json'), 'utf8')) as {
  sherpa: Record<string, WindowExpectation>;
};

let manifest: ModelManifest;
let ours: OfflineParaformerRecognizer;
let sherpa: SherpaOfflineRecognizer;

beforeAll(async () => {
  manifest = await loadManifest(OFFLINE_DIR);
  ours = await OfflineParaformerRecognizer.load(manifest, { intraOpThreads: 1 });
  sherpa = sherpaOffline();
});
afterAll(async () => {
  await ours?.close();
});

const symbolsOf = (r: ParaformerAsrResult) => r.tokens.map((t) => manifest.tokens.symbol(t));

async function excerpt(e: WindowExpectation): Promise<Float32Array> {
  const start = e.offset ?? 0;
  return (await loadClip(e.clip)).subarray(start, start + e.samples);
}

describe('offline Paraformer runtime vs sherpa-onnx-node (zoo paraformer-offline)', () => {
  it('reports itself as an offline Paraformer with BiCif timing outputs', () => {
    expect(ours.info).toMatchObject({
      family: 'paraformer-offline',
      mode: 'offline',
      sampleRate: 16000,
      featurePreset: 'sherpa-offline-paraformer',
      secondsPerFrame: 0.06,
    });
    expect(ours.hasTimestampOutputs).toBe(true);
  });

  it.each(CLIPS)(
    'decodes %s to exactly sherpa’s tokens, and sherpa’s times where it gives them',
    async (clip) => {
      const samples = await loadClip(clip);
      const got = await ours.transcribe(samples);
      const want = sherpaDecodeOffline(sherpa, samples);
      expect(symbolsOf(got)).toEqual(want.tokens);
      expect(got.tokens.length).toBeGreaterThan(0);
      if (!want.tokens.some((t) => t.startsWith('<'))) expect(got.text).toBe(want.text.trim());
      // sherpa keeps its times only when the peak count matches; ours map position j to fire j.
      expect(got.timing).toBe('cif-peaks');
      if ((want.timestamps ?? []).length > 0) {
        expect(got.timestamps).toHaveLength(want.timestamps?.length ?? -1);
        for (const [i, t] of got.timestamps.entries())
          expect(t).toBeCloseTo(want.timestamps?.[i] ?? Number.NaN, 5);
      }
    },
  );

  const windows = Object.keys(reference.sherpa).filter((k) => k.startsWith('jfk@'));

  it.each(windows)('gives sherpa’s (and PyTorch’s) timestamps on %s', async (name) => {
    const e = reference.sherpa[name]!;
    const samples = await excerpt(e);
    const got = await ours.transcribe(samples);
    const want = sherpaDecodeOffline(sherpa, samples);
    expect(symbolsOf(got)).toEqual(e.tokens);
    expect(want.tokens).toEqual(e.tokens);
    expect(e.timestamps).not.toBeNull();
    expect(want.timestamps).toHaveLength(e.tokens.length);
    got.timestamps.forEach((t, i) => {
      expect(t).toBeCloseTo(want.timestamps?.[i] ?? Number.NaN, 5);
      expect(t).toBeCloseTo(e.timestamps?.[i] ?? Number.NaN, 5);
    });
    // </s> sits on the last CIF position: FunASR's token_num - 1 rule agrees with sherpa's.
    expect(got.tokenNum).toBe(e.token_num);
    expect(got.tokenNumMismatch).toBe(false);
  });

  it('maps tokens to CIF fires by position when a </s> stops early (sherpa drops its times)', async () => {
    const e = reference.sherpa.jfk!;
    const samples = await excerpt(e);
    const got = await ours.transcribe(samples);
    expect(sherpaDecodeOffline(sherpa, samples).timestamps ?? []).toEqual([]);
    expect(got.tokens.length).toBeLessThan(e.token_num - 1);
    for (const [i, t] of got.timestamps.entries()) expect(t).toBeCloseTo(e.peak_times[i] ?? Number.NaN, 5);
    // token_num says 68 positions, </s> came after 22: the cross-check flags it.
    expect(got.tokenNum).toBe(e.token_num);
    expect(got.tokenNumMismatch).toBe(true);
  });

  it('logs a debug note when </s> and token_num disagree', async () => {
    const notes: Array<Record<string, unknown>> = [];
    const logged = await OfflineParaformerRecognizer.load(manifest, {
      intraOpThreads: 1,
      logger: { debug: (details) => notes.push(details) },
    });
    try {
      const jfk = await loadClip('clips/jfk.wav');
      const w = reference.sherpa['jfk@40000+25600']!;
      await logged.transcribe(jfk.subarray(w.offset ?? 0, (w.offset ?? 0) + w.samples));
      expect(notes).toEqual([]);
      await logged.transcribe(jfk);
      expect(notes).toEqual([{ tokens: 22, tokenNum: 68, predictorBias: 1 }]);
    } finally {
      await logged.close();
    }
  });

  it('builds words with start and end times (60 ms per LFR frame) and confidences', async () => {
    const samples = await loadClip('clips/jfk.wav');
    const got = await ours.transcribe(samples.subarray(0, 48000));
    expect(got.words.length).toBeGreaterThan(3);
    expect(got.words.map((w) => w.word).join(' ')).toBe(got.text);
    got.words.forEach((w, i) => {
      expect(w.end).toBeGreaterThan(w.start);
      expect(w.end).toBeLessThanOrEqual(w.start + 0.06 * 10);
      const next = got.words[i + 1];
      if (next !== undefined) expect(w.end).toBeLessThanOrEqual(next.start);
      expect(w.confidence).toBeGreaterThan(0);
      expect(w.confidence).toBeLessThanOrEqual(1);
    });
    // A word's start is its first token's time; times rise.
    expect(got.words[0]?.start).toBe(got.timestamps[0]);
    for (let i = 1; i < got.timestamps.length; i++) {
      expect(got.timestamps[i]).toBeGreaterThan(got.timestamps[i - 1] ?? 0);
    }
  });

  it('returns an empty result for no audio and for 50 ms of silence', async () => {
    const [empty, silence] = await ours.transcribeBatch([new Float32Array(0), new Float32Array(800)]);
    for (const r of [empty, silence]) {
      expect(r?.tokens).toEqual([]);
      expect(r?.text).toBe('');
      expect(r?.words).toEqual([]);
    }
  });
});

describe('offline Paraformer transcribeBatch', () => {
  it('gives each utterance in one batched call the result it gets alone', async () => {
    const jfk = await loadClip('clips/jfk.wav');
    const utterances = [
      jfk,
      await loadClip('fsdd/recordings/0_george_0.wav'),
      jfk.subarray(40000, 65600),
      new Float32Array(0),
      await loadClip('clips/stereo-two-speakers.wav'),
      jfk.subarray(0, 48000),
      await loadClip('fsdd/recordings/3_theo_1.wav'),
    ];
    const batch = await ours.transcribeBatch(utterances);
    expect(batch).toHaveLength(utterances.length);
    for (const [i, u] of utterances.entries()) {
      const alone = await ours.transcribe(u);
      const b = batch[i]!;
      expect(b.tokens).toEqual(alone.tokens);
      expect(b.timestamps).toEqual(alone.timestamps);
      expect(b.tokenNum).toBe(alone.tokenNum);
      expect(b.text).toBe(alone.text);
      expect(b.words.map((w) => [w.word, w.start, w.end])).toEqual(
        alone.words.map((w) => [w.word, w.start, w.end]),
      );
      for (const [k, w] of b.words.entries()) {
        expect(w.confidence).toBeCloseTo(alone.words[k]?.confidence ?? Number.NaN, 4);
      }
    }
    expect(batch.filter((r) => r.tokens.length > 0).length).toBe(utterances.length - 1);
  });
});
