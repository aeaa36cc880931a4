// The NeMo streaming recognizer against sherpa-onnx-node (the independent runtime) on
// the zoo fixtures, plus the invariances a streaming engine must keep: any chunking of
// the audio and any batching of streams give the same tokens.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadNemoStreamingRecognizer } from '../../../asr/nemo/load-nemo-streaming.js';
import type { NemoStream } from '../../../asr/nemo/nemo-stream.js';
import { NemoStreamingRecognizer } from '../../../asr/nemo/nemo-streaming-recognizer.js';
import type { StreamOptions } from '../../../asr/recognizer.js';
import { isSpeechError } from '../../../common/errors.js';
import { openNemoStreamingModels } from '../../../models/nemo/streaming-models.js';
import { loadManifest } from '../../../models/runtime/manifest.js';
import { createSession } from '../../../models/runtime/session.js';
import { readTokens, type SymbolTable } from '../../../models/runtime/tokens.js';
import { embeddedModels, embeddedModelsDir } from '../../../server/commands/models-embedded.js';
import { readWav } from '../../../streaming/audio/wav-reader.js';
import { allClips, clip16k, haveData, randomChunks, zooDir } from './helpers/clips.js';
import { decodeWhole } from './helpers/decode-whole.js';
import {
  type SherpaHead,
  sherpaOnlineNemo,
  sherpaOnlineTokens,
  sherpaSymbol,
} from './helpers/sherpa-reference.js';

const fixture = (name: string) => `${zooDir}/${name}`;

/** Feeds chunks as they would arrive live, decoding whenever a window is ready. */
async function decodeChunked(
  recognizer: NemoStreamingRecognizer,
  chunks: readonly Float32Array[],
  options?: StreamOptions,
): Promise<number[]> {
  const stream = recognizer.createStream(options);
  for (const chunk of chunks) {
    stream.acceptAudio(chunk);
    while (recognizer.isReady(stream)) await recognizer.decode([stream]);
  }
  stream.inputFinished();
  while (recognizer.isReady(stream)) await recognizer.decode([stream]);
  const tokens = [...recognizer.result(stream).tokens];
  stream.close();
  return tokens;
}

const identityCases: {
  fixture: string;
  head: SherpaHead;
  decoder: 'ctc' | 'rnnt';
  preset?: 'sherpa-online-nemo-ctc';
  /** Run CTC-only streams through the hybrid's fused model.onnx, as sherpa does. */
  fusedCtcGraph?: boolean;
}[] = [
  { fixture: 'nemo-streaming-ctc', head: 'ctc', decoder: 'ctc' },
  { fixture: 'nemo-streaming-transducer', head: 'transducer', decoder: 'rnnt' },
  { fixture: 'nemo-streaming-hybrid', head: 'transducer', decoder: 'rnnt' },
  // The hybrid's CTC head through ctc-head.onnx vs sherpa on the fused model.onnx, with
  // the features sherpa's online CTC path uses.
  { fixture: 'nemo-streaming-hybrid', head: 'ctc', decoder: 'ctc', preset: 'sherpa-online-nemo-ctc' },
  {
    fixture: 'nemo-streaming-hybrid',
    head: 'ctc',
    decoder: 'ctc',
    preset: 'sherpa-online-nemo-ctc',
    fusedCtcGraph: true,
  },
];

describe.runIf(haveData())('NeMo streaming recognizer', () => {
  describe.each(identityCases)('$fixture $decoder is token-identical to sherpa-onnx', (c) => {
    it.each(allClips())('%s', async (clip) => {
      const samples = await clip16k(clip);
      const recognizer = await loadNemoStreamingRecognizer(fixture(c.fixture), {
        sherpaFeatures: c.preset === undefined,
        featurePreset: c.preset,
        fusedCtcGraph: c.fusedCtcGraph ?? false,
      });
      const tokens = await readTokens(`${fixture(c.fixture)}/tokens.txt`);
      try {
        const ours = await decodeWhole(recognizer, samples, { decoder: c.decoder });
        const reference = sherpaOnlineTokens(sherpaOnlineNemo(c.fixture, c.head), samples);
        expect(reference.length).toBeGreaterThan(0);
        let symbols = ours.map((id) => sherpaSymbol(tokens.symbol(id) ?? '?'));
        // sherpa's transducer results leave out <unk> (contract 2.2.3 step 4); its CTC results keep it.
        if (c.head === 'transducer') symbols = symbols.filter((s) => s !== '<unk>');
        expect(symbols).toEqual(reference);
      } finally {
        await recognizer.close();
      }
    });
  });

  describe.each([
    ['nemo-streaming-ctc', 'ctc'],
    ['nemo-streaming-transducer', 'rnnt'],
    ['nemo-streaming-hybrid', 'hybrid'],
  ] as const)('%s (%s) is chunk invariant', (name, decoder) => {
    it.each(['clips/jfk.wav', 'fsdd/recordings/7_jackson_12.wav'])('%s', async (clip) => {
      const samples = await clip16k(clip);
      const recognizer = await loadNemoStreamingRecognizer(fixture(name));
      try {
        const whole = await decodeWhole(recognizer, samples, { decoder });
        expect(whole.length).toBeGreaterThan(0);
        for (const seed of [1, 2, 3]) {
          const chunks = randomChunks(samples, seed, 1, 32000);
          expect(await decodeChunked(recognizer, chunks, { decoder }), `seed ${seed}`).toEqual(whole);
        }
      } finally {
        await recognizer.close();
      }
    });
  });

  it.each([
    ['nemo-streaming-ctc', 'ctc'],
    ['nemo-streaming-transducer', 'rnnt'],
    ['nemo-streaming-hybrid', 'hybrid'],
  ] as const)('%s (%s): N streams decoded together equal each decoded alone', async (name, decoder) => {
    const clips = [
      'clips/jfk.wav',
      'fsdd/recordings/0_theo_0.wav',
      'clips/stereo-two-speakers.wav',
      'fsdd/recordings/3_lucas_40.wav',
    ];
    const audio = await Promise.all(clips.map(clip16k));
    const recognizer = await loadNemoStreamingRecognizer(fixture(name));
    try {
      const alone = [];
      for (const samples of audio) alone.push(await decodeWhole(recognizer, samples, { decoder }));

      // Live-like: each stream receives its own chunk sizes; every round the ready ones
      // are decoded in one batched call; streams finish at different times.
      const chunked = audio.map((samples, i) => randomChunks(samples, 100 + i, 800, 6400));
      const streams = audio.map(() => recognizer.createStream({ decoder }));
      const next = audio.map(() => 0);
      let batchedCalls = 0;
      let maxBatch = 0;
      while (streams.some((s) => !s.isInputFinished) || streams.some((s) => recognizer.isReady(s))) {
        streams.forEach((s, i) => {
          if (s.isInputFinished) return;
          const chunk = chunked[i]![next[i]!++];
          if (chunk) s.acceptAudio(chunk);
          else s.inputFinished();
        });
        for (;;) {
          const ready: NemoStream[] = streams.filter((s) => recognizer.isReady(s));
          if (ready.length === 0) break;
          maxBatch = Math.max(maxBatch, ready.length);
          batchedCalls++;
          await recognizer.decode(ready);
        }
      }
      expect(maxBatch).toBeGreaterThan(1);
      expect(batchedCalls).toBeGreaterThan(0);
      streams.forEach((s, i) => {
        expect([...recognizer.result(s).tokens], clips[i]).toEqual(alone[i]);
      });
    } finally {
      await recognizer.close();
    }
  });

  it('hybrid with the fused CTC graph: CTC and RNNT streams decoded in one call equal each alone', async () => {
    const recognizer = await loadNemoStreamingRecognizer(fixture('nemo-streaming-hybrid'), {
      fusedCtcGraph: true,
    });
    const plain = await loadNemoStreamingRecognizer(fixture('nemo-streaming-hybrid'));
    try {
      const samples = await clip16k('clips/jfk.wav');
      const decoders = ['ctc', 'rnnt', 'hybrid', 'ctc'] as const;
      const alone = [];
      for (const decoder of decoders) alone.push(await decodeWhole(plain, samples, { decoder }));
      const streams = decoders.map((decoder) => recognizer.createStream({ decoder }));
      for (const s of streams) {
        s.acceptAudio(samples);
        s.inputFinished();
      }
      for (;;) {
        const ready = streams.filter((s) => recognizer.isReady(s));
        if (ready.length === 0) break;
        await recognizer.decode(ready);
      }
      streams.forEach((s, i) => {
        expect([...recognizer.result(s).tokens], decoders[i]).toEqual(alone[i]);
      });
    } finally {
      await recognizer.close();
      await plain.close();
    }
  });

  it("one-stream steps run a static-shape copy of the encoder, with the generic graph's tokens", async () => {
    const samples = await clip16k('clips/jfk.wav');
    for (const decoder of ['ctc', 'rnnt'] as const) {
      const specialised = await loadNemoStreamingRecognizer(fixture('nemo-streaming-hybrid'), {
        defaultDecoder: decoder,
      });
      const generic = await loadNemoStreamingRecognizer(fixture('nemo-streaming-hybrid'), {
        defaultDecoder: decoder,
        singleStreamGraphs: false,
      });
      try {
        expect(specialised.singleStreamGraph, decoder).toBe(true);
        expect(generic.singleStreamGraph, decoder).toBe(false);
        const tokens = await decodeWhole(specialised, samples);
        expect(tokens.length, decoder).toBeGreaterThan(5);
        expect(tokens, decoder).toEqual(await decodeWhole(generic, samples));
        // Another lookahead has another window: it runs the generic graph, and still decodes.
        const other = specialised.info.lookaheads.find((r) => r !== specialised.info.lookaheads[0]);
        if (other !== undefined) {
          expect(await decodeWhole(specialised, samples, { lookahead: other })).toEqual(
            await decodeWhole(generic, samples, { lookahead: other }),
          );
        }
      } finally {
        await specialised.close();
        await generic.close();
      }
    }
  });

  it('the static-shape copy is what one-stream steps run; batches and other lookaheads do not touch it', async () => {
    const samples = await clip16k('clips/jfk.wav');
    const manifest = await loadManifest(fixture('nemo-streaming-hybrid'));
    const models = await openNemoStreamingModels(manifest, {}, { singleStreamGraphs: false });
    const copy = await createSession(manifest.files.encoder!, {
      staticInputShapes: models.encoder.singleStreamShapes(),
    });
    let copyRuns = 0;
    const run = copy.runPositional.bind(copy);
    copy.runPositional = (inputs) => {
      copyRuns++;
      return run(inputs);
    };
    models.encoder.useSingleStreamSession(copy);
    const recognizer = new NemoStreamingRecognizer(manifest, models, { defaultDecoder: 'rnnt' });
    const generic = await loadNemoStreamingRecognizer(fixture('nemo-streaming-hybrid'), {
      defaultDecoder: 'rnnt',
      singleStreamGraphs: false,
    });
    try {
      expect(await decodeWhole(recognizer, samples)).toEqual(await decodeWhole(generic, samples));
      expect(copyRuns).toBeGreaterThan(10);
      const alone = copyRuns;
      const other = recognizer.info.lookaheads.find((r) => r !== recognizer.info.lookaheads[0])!;
      await decodeWhole(recognizer, samples, { lookahead: other });
      const pair = [recognizer.createStream(), recognizer.createStream()];
      for (const s of pair) {
        s.acceptAudio(samples);
        s.inputFinished();
      }
      while (pair.every((s) => recognizer.isReady(s))) await recognizer.decode(pair);
      for (const s of pair) s.close();
      expect(copyRuns).toBe(alone);
    } finally {
      await recognizer.close();
      await copy.release();
      await generic.close();
    }
  });

  it('offers every trained lookahead with its own window and rejects others', async () => {
    const recognizer = await loadNemoStreamingRecognizer(fixture('nemo-streaming-transducer'));
    try {
      expect(recognizer.info.lookaheads[0]).toBe(1); // the exported default (window_size 25)
      expect([...recognizer.info.lookaheads].sort((a, b) => a - b)).toEqual([0, 1, 6, 13]);
      const samples = await clip16k('clips/jfk.wav');
      const results = new Map<number, string>();
      for (const lookahead of recognizer.info.lookaheads) {
        const stream = recognizer.createStream({ lookahead });
        expect(stream.config.chunkShift).toBe(8 * (lookahead + 1));
        expect(stream.config.windowSize).toBe(8 * (lookahead + 1) + 9);
        stream.close();
        const tokens = await decodeWhole(recognizer, samples, { lookahead });
        expect(tokens.length, `R=${lookahead}`).toBeGreaterThan(0);
        results.set(lookahead, tokens.join(','));
      }
      // Different chunking of the attention context changes the random model's output.
      expect(new Set(results.values()).size).toBeGreaterThan(1);
      expect(() => recognizer.createStream({ lookahead: 3 })).toThrow(/lookahead 3/);
    } finally {
      await recognizer.close();
    }
  });

  it('hybrid: CTC partials per chunk, and the final equals the RNNT head alone', async () => {
    const recognizer = await loadNemoStreamingRecognizer(fixture('nemo-streaming-hybrid'));
    try {
      expect([...recognizer.info.decoders].sort()).toEqual(['ctc', 'rnnt']);
      const samples = await clip16k('clips/jfk.wav');
      const rnnt = await decodeWhole(recognizer, samples, { decoder: 'rnnt' });

      const stream = recognizer.createStream({ decoder: 'hybrid' });
      const ctcOnly = recognizer.createStream({ decoder: 'ctc' });
      const half = samples.subarray(0, samples.length >> 1);
      for (const s of [stream, ctcOnly]) s.acceptAudio(half);
      while (recognizer.isReady(stream)) await recognizer.decode([stream, ctcOnly]);
      const partial = recognizer.result(stream);
      expect(partial.isFinal).toBe(false);
      expect(partial.tokens).toEqual(recognizer.result(ctcOnly).tokens);

      stream.acceptAudio(samples.subarray(half.length));
      stream.inputFinished();
      while (recognizer.isReady(stream)) await recognizer.decode([stream]);
      const final = recognizer.result(stream);
      expect(final.isFinal).toBe(true);
      expect([...final.tokens]).toEqual(rnnt);
    } finally {
      await recognizer.close();
    }
  });

  it('endpoints split a long clip into segments with stream-relative times', async () => {
    const recognizer = await loadNemoStreamingRecognizer(fixture('nemo-streaming-ctc'), {
      endpoint: { rule3: { minUtteranceLength: 5 } },
    });
    try {
      const samples = await clip16k('clips/vad-speech-60s.wav');
      const stream = recognizer.createStream();
      const segments = [];
      for (const chunk of randomChunks(samples, 7, 1600, 1600)) {
        stream.acceptAudio(chunk);
        while (recognizer.isReady(stream)) {
          await recognizer.decode([stream]);
          if (recognizer.isEndpoint(stream)) {
            const r = recognizer.result(stream);
            expect(r.isFinal).toBe(true);
            segments.push(r);
            recognizer.reset(stream);
          }
        }
      }
      const seconds = samples.length / 16000;
      // rule3 ends each utterance after 5 s (or earlier on silence).
      expect(segments.length).toBeGreaterThanOrEqual(Math.floor(seconds / 5) - 1);
      segments.forEach((seg, i) => {
        expect(seg.segment).toBe(i);
        if (i > 0) expect(seg.segmentStart).toBeGreaterThan(segments[i - 1]!.segmentStart);
        for (const w of seg.words) {
          expect(w.start).toBeGreaterThanOrEqual(seg.segmentStart);
          expect(w.end).toBeGreaterThanOrEqual(w.start);
          expect(w.end).toBeLessThanOrEqual(seconds + 1);
          expect(w.confidence).toBeGreaterThan(0);
          expect(w.confidence).toBeLessThanOrEqual(1);
        }
      });
    } finally {
      await recognizer.close();
    }
  });

  it('endpoint resets carry the encoder caches and RNN-T context on (default), or zero them as sherpa does', async () => {
    // The embedded digits model on its demo string twice, 2.5 s of silence between: the
    // silence fires an endpoint (rule 2) between the two.
    const dir = path.join(embeddedModelsDir(), embeddedModels.primary);
    const demo = readWav(readFileSync(path.join(embeddedModelsDir(), 'digits-demo.wav'))).channels[0]!;
    const samples = new Float32Array(demo.length * 2 + 40000);
    samples.set(demo, 0);
    samples.set(demo, demo.length + 40000);
    const cut = async (cachesAtReset: 'keep' | 'zero', decoder: 'ctc' | 'rnnt') => {
      const recognizer = await loadNemoStreamingRecognizer(dir, { cachesAtReset });
      try {
        const stream = recognizer.createStream({ decoder });
        stream.acceptAudio(samples);
        stream.inputFinished();
        const segments: number[][] = [];
        let zeroAfterReset = false;
        while (recognizer.isReady(stream)) {
          await recognizer.decode([stream]);
          if (recognizer.isEndpoint(stream) && recognizer.isReady(stream)) {
            segments.push([...recognizer.result(stream).tokens]);
            recognizer.reset(stream);
            zeroAfterReset = stream.cache.home === undefined;
          }
        }
        segments.push([...recognizer.result(stream).tokens]);
        const whole = await decodeWhole(recognizer, samples, { decoder });
        stream.close();
        return { segments: segments.filter((t) => t.length > 0), zeroAfterReset, whole };
      } finally {
        await recognizer.close();
      }
    };
    for (const decoder of ['ctc', 'rnnt'] as const) {
      const keep = await cut('keep', decoder);
      expect(keep.segments.length, decoder).toBeGreaterThanOrEqual(2);
      expect(keep.zeroAfterReset).toBe(false);
      // The model ran on as over the uncut recording (the RNN-T prediction network too):
      // the segments' tokens are its tokens, none said twice.
      expect(keep.segments.flat(), decoder).toEqual(keep.whole);
      const zero = await cut('zero', decoder);
      expect(zero.segments.length, decoder).toBeGreaterThanOrEqual(2);
      expect(zero.zeroAfterReset).toBe(true);
    }
  });

  it('hotwords bias the beam search towards a phrase', async () => {
    // As in sherpa-onnx, the bonus applies to candidates the acoustic top-k already
    // proposes, so the test boosts a word the beam does consider: one it emits once.
    const dir = fixture('nemo-streaming-transducer');
    const recognizer = await loadNemoStreamingRecognizer(dir);
    const symbols: SymbolTable = await readTokens(`${dir}/tokens.txt`);
    try {
      const samples = await clip16k('clips/jfk.wav');
      const plain = await decodeWhole(recognizer, samples, { search: 'beam' });
      const count = (tokens: number[], id: number) => tokens.filter((t) => t === id).length;
      const wordIds = [...new Set(plain)].filter((id) => symbols.symbol(id)?.startsWith('\u2581'));
      const target = wordIds.find((id) => count(plain, id) === 1);
      expect(target, 'a word piece emitted exactly once').toBeDefined();
      const word = symbols.symbol(target!)!.slice(1);
      const biased = await decodeWhole(recognizer, samples, { hotwords: [{ phrase: word, boost: 4 }] });
      expect(count(biased, target!)).toBeGreaterThan(1);
      const neutral = await decodeWhole(recognizer, samples, { hotwords: [{ phrase: word, boost: 1e-9 }] });
      expect(neutral).toEqual(plain);
    } finally {
      await recognizer.close();
    }
  });

  it('reports coded errors for misuse', async () => {
    const recognizer = await loadNemoStreamingRecognizer(fixture('nemo-streaming-ctc'));
    try {
      const stream = recognizer.createStream();
      stream.inputFinished();
      expect(() => stream.acceptAudio(new Float32Array(10))).toThrow(
        expect.objectContaining({ code: 'ASR_STREAM_CLOSED' }),
      );
      try {
        recognizer.createStream({ decoder: 'rnnt' });
        expect.unreachable();
      } catch (err) {
        expect(isSpeechError(err, 'ASR_UNSUPPORTED_OPTION')).toBe(true);
      }
      stream.close();
      expect(() => stream.acceptAudio(new Float32Array(10))).toThrow(/closed stream/);
    } finally {
      await recognizer.close();
    }
    expect(() => recognizer.createStream()).toThrow(expect.objectContaining({ code: 'MODEL_RELEASED' }));
  });
});
