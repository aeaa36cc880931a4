import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ArditKvCache, ArditModel } from '../../../models/tts/ardit-model.js';
import {
  ArditGeneration,
  type ArditGraphs,
  generateMel,
  type MelChunk,
  vocodeMel,
} from '../../../tts/ardit/index.js';
import { type MelVocoder, VocoderStream } from '../../../tts/audio/vocoder-stream.js';
import { tokenId } from '../../../tts/text/phone-tokens.js';
import { arditFixtureDir, arditGolden, maxAbsDiff } from './ardit-fixture.js';

// Fixture: random-weight graphs + PyTorch reference runs, regenerated together by
//   /usr/bin/python3 models/py/tts/ardit/make_fixture.py
const golden = arditGolden();

/** The fixture model with its stop logit replaced (a model that never / always says stop). */
function withStopLogit(model: ArditModel, logit: number): ArditGraphs<ArditKvCache> {
  return {
    info: model.info,
    prefill: (ids, pos, bos) => model.prefill(ids, pos, bos),
    step: async (patch, pos, cache) => ({ ...(await model.step(patch, pos, cache)), stopLogit: logit }),
    velocity: (xt, t, cond, prev, rows) => model.velocity(xt, t, cond, prev, rows),
  };
}

async function collect(chunks: AsyncIterable<MelChunk>): Promise<MelChunk[]> {
  const out: MelChunk[] = [];
  for await (const c of chunks) out.push(c);
  return out;
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe('ArditModel + ArditGeneration on the random-weight fixture', () => {
  let model: ArditModel;

  beforeAll(async () => {
    model = await ArditModel.load(arditFixtureDir, { intraOpThreads: 1 });
  });
  afterAll(async () => {
    await model?.release();
  });

  it('reads the contract from metadata', () => {
    expect(model.info).toMatchObject({
      patchSize: 4,
      numMels: 80,
      hiddenSize: 64,
      vocabSize: 48,
      numLayers: 2,
      numHeads: 2,
      headDim: 32,
      framesPerPhone: 4,
      stopPatience: 2,
    });
    expect(model.info.melMean).toHaveLength(80);
    expect(model.info.metadata.model_type).toBe('ardit-tts');
  });

  it('uses phone ids of the shared inventory (tts/text/phone-tokens.ts)', () => {
    expect(golden.symbols.map((s) => tokenId(s))).toEqual(golden.ids);
  });

  it('exercises both endings and audible (non-flat) mel', () => {
    expect(new Set(golden.cases.map((c) => c.reason))).toEqual(new Set(['stop', 'max']));
    for (const c of golden.cases) {
      const mean = c.logMel.reduce((a, b) => a + b, 0) / c.logMel.length;
      const sd = Math.sqrt(c.logMel.reduce((a, b) => a + (b - mean) ** 2, 0) / c.logMel.length);
      expect(sd).toBeGreaterThan(0.5);
    }
  });

  it.each(golden.cases.map((c) => [c.name, c] as const))(
    'equals the PyTorch reference run on %s (same seed)',
    async (_, c) => {
      const { logMel, outcome } = await generateMel(model, golden.ids, c.options);
      expect(outcome.plan).toEqual({ planned: c.planned, minSteps: c.minSteps, maxSteps: c.maxSteps });
      expect([outcome.reason, outcome.steps, outcome.numFrames]).toEqual([c.reason, c.steps, c.numFrames]);
      expect(maxAbsDiff(outcome.stopLogits, c.stopLogits)).toBeLessThan(1e-5); // observed < 1e-6
      expect(maxAbsDiff(logMel, c.logMel)).toBeLessThan(1e-4); // observed 2e-5 (values around -6 +- 4)
    },
  );

  it('ends at the length clamp when the stop head never fires', async () => {
    const c = golden.cases[0]!;
    const { outcome } = await generateMel(withStopLogit(model, -30), golden.ids, {
      ...c.options,
      maxRatio: 1.2,
    });
    expect(outcome.reason).toBe('max');
    expect(outcome.steps).toBe(outcome.plan.maxSteps);
    expect(outcome.plan.maxSteps).toBe(Math.ceil(1.2 * outcome.plan.planned));
    const capped = await generateMel(withStopLogit(model, -30), golden.ids, { ...c.options, maxSteps: 3 });
    expect([capped.outcome.reason, capped.outcome.steps, capped.logMel.length]).toEqual([
      'max',
      3,
      3 * 4 * 80,
    ]);
  });

  it('never stops before the minimum, even when the stop head always fires', async () => {
    const { outcome } = await generateMel(withStopLogit(model, 30), golden.ids, golden.cases[0]!.options);
    expect(outcome.reason).toBe('stop');
    expect(outcome.steps).toBe(outcome.plan.minSteps);
  });

  it('streams: chunks concatenated equal the whole, for any chunk size', async () => {
    const c = golden.cases[0]!;
    const whole = (await generateMel(model, golden.ids, { ...c.options, patchesPerChunk: 1000 })).logMel;
    expect(maxAbsDiff(whole, c.logMel)).toBeLessThan(1e-4);
    for (const patchesPerChunk of [1, 3, 5]) {
      const chunks = await collect(new ArditGeneration(model, golden.ids, { ...c.options, patchesPerChunk }));
      expect(chunks.length).toBe(Math.ceil(c.steps / patchesPerChunk));
      let frame = 0;
      for (const chunk of chunks) {
        expect(chunk.startFrame).toBe(frame);
        expect(chunk.logMel.length).toBe(chunk.numFrames * 80);
        frame += chunk.numFrames;
      }
      expect(concat(chunks.map((x) => x.logMel))).toEqual(whole);
    }
  });

  it('plugs into VocoderStream: streamed audio equals whole-utterance synthesis', async () => {
    // A causal toy vocoder with one frame of look-ahead and two of left context.
    const toy: MelVocoder = {
      hopLength: 4,
      numMels: 80,
      receptiveLeftFrames: 2,
      lookaheadFrames: 1,
      async synthesize(logMel, numFrames) {
        const out = new Float32Array(numFrames * 4);
        const frameSum = (t: number) => {
          if (t < 0 || t >= numFrames) return 0;
          let s = 0;
          for (let m = 0; m < 80; m++) s += logMel[t * 80 + m]! * ((m % 7) - 3);
          return s;
        };
        for (let t = 0; t < numFrames; t++) {
          for (let i = 0; i < 4; i++) {
            out[t * 4 + i] =
              frameSum(t) + 0.5 * frameSum(t - 1) + 0.25 * frameSum(t - 3) + (i + 1) * frameSum(t + 1);
          }
        }
        return out;
      },
    };
    const c = golden.cases[1]!;
    const generation = new ArditGeneration(model, golden.ids, { ...c.options, patchesPerChunk: 2 });
    const pieces: Float32Array[] = [];
    for await (const audio of vocodeMel(generation, new VocoderStream(toy, { maxFramesPerRun: 8 }))) {
      pieces.push(audio);
    }
    expect(pieces.length).toBeGreaterThan(2);
    const whole = await toy.synthesize(c.logMel, c.numFrames);
    const streamed = concat(pieces);
    expect(streamed.length).toBe(whole.length);
    const scale = Math.max(...whole.map(Math.abs));
    expect(maxAbsDiff(streamed, whole) / scale).toBeLessThan(1e-4);
  });

  it('stops on abort and rejects bad input with coded errors', async () => {
    const controller = new AbortController();
    const generation = new ArditGeneration(model, golden.ids, {
      ...golden.cases[0]!.options,
      signal: controller.signal,
    });
    const seen: MelChunk[] = [];
    await expect(
      (async () => {
        for await (const chunk of generation) {
          seen.push(chunk);
          controller.abort();
        }
      })(),
    ).rejects.toThrow();
    expect(seen).toHaveLength(1);
    expect(generation.outcome).toBeUndefined();
    expect(() => new ArditGeneration(model, [999])).toThrow(
      expect.objectContaining({ code: 'MODEL_FEED_INVALID' }),
    );
    expect(() => new ArditGeneration(model, [])).toThrow(
      expect.objectContaining({ code: 'MODEL_FEED_INVALID' }),
    );
    expect(() => new ArditGeneration(model, golden.ids, { flowSteps: 0 })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });

  it('refuses a directory without the three graphs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ardit-'));
    try {
      await expect(ArditModel.load(dir)).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
      await expect(ArditModel.load(join(dir, 'nope'))).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
      // The step graph where the flow head should be: named inputs do not match.
      for (const file of ['ar_prefill.onnx', 'ar_step.onnx'])
        await copyFile(join(arditFixtureDir, file), join(dir, file));
      await copyFile(join(arditFixtureDir, 'ar_step.onnx'), join(dir, 'flow_head.onnx'));
      await expect(ArditModel.load(dir)).rejects.toMatchObject({
        code: 'MODEL_CONTRACT_MISMATCH',
        message: expect.stringMatching(/flow_head\.onnx: inputs patch,pos,past_key,past_value/),
      });
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});
