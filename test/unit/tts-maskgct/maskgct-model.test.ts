import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaskGctModel } from '../../../models/tts/maskgct-model.js';
import { vocodeMel } from '../../../tts/ardit/index.js';
import { type MelVocoder, VocoderStream } from '../../../tts/audio/vocoder-stream.js';
import {
  type MaskGctGraphs,
  MaskGctSynthesis,
  type StepEvent,
  synthesizeMel,
  type T2sFeed,
} from '../../../tts/maskgct/index.js';
import { tokenId } from '../../../tts/text/phone-tokens.js';
import { type GoldenCase, maskgctFixtureDir, maskgctGolden, maxAbsDiff } from './maskgct-fixture.js';

// Fixture: random-weight graphs + PyTorch reference runs, regenerated together by
//   /usr/bin/python3 models/py/tts/maskgct/make_fixture.py
const golden = maskgctGolden();

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The fixture's graphs seen as a model without the duration table (how older models plan). */
function withoutDurations(model: MaskGctModel): MaskGctGraphs {
  const { durations: _, ...info } = model.info;
  return {
    info,
    t2s: (feed) => model.t2s(feed),
    s2a: (feed) => model.s2a(feed),
    decode: (ac, n) => model.decode(ac, n),
  };
}

describe('MaskGctModel + MaskGctSynthesis on the random-weight fixture', () => {
  let model: MaskGctModel;
  const graphsFor = (c: GoldenCase): MaskGctGraphs => (c.durations ? model : withoutDurations(model));

  beforeAll(async () => {
    model = await MaskGctModel.load(maskgctFixtureDir, { intraOpThreads: 1 });
  });
  afterAll(async () => {
    await model?.release();
  });

  it('reads the contract from metadata', () => {
    expect(model.info).toMatchObject({
      vocabSize: 48,
      semStates: 1,
      semVocab: 48,
      numMels: 80,
      codecLayers: 3,
      codebookSize: 32,
      framesPerPhone: 3,
      hiddenSize: 32,
    });
    expect(model.info.metadata.model_type).toBe('maskgct-tts');
    const table = model.info.durations!;
    expect(table.voices).toEqual(['other', 'probe', '*']);
    expect(table.lead).toHaveLength(3);
    expect(table.frames.map((r) => r.length)).toEqual([48, 48, 48]);
  });

  it('has golden cases on both position paths (duration table and even spread)', () => {
    const names = golden.cases.map((c) => `${c.name}:${c.durations}`);
    expect(names).toEqual([
      'plain:false',
      'cfg-prompt:false',
      'phrases:false',
      'table-voice:true',
      'table-pooled-speed:true',
      'table-frames:true',
      'table-phrases:true',
    ]);
    const table = golden.cases.filter((c) => c.durations);
    expect(table.some((c) => c.options.voice === 'probe')).toBe(true);
    expect(table.some((c) => c.options.voice === undefined)).toBe(true);
    expect(table.some((c) => c.options.speed !== 1)).toBe(true);
    expect(table.some((c) => c.options.numFrames !== undefined)).toBe(true);
    expect(table.some((c) => c.phrases.length > 1 && c.prompt?.phonePos !== undefined)).toBe(true);
  });

  it('uses phone ids of the shared inventory (tts/text/phone-tokens.ts)', () => {
    expect(golden.symbols.map((s) => tokenId(s))).toEqual(golden.ids);
  });

  it('has a golden that draws varied tokens (not one repeated id)', () => {
    const plain = golden.cases[0]!.phrases[0]!;
    expect(new Set(plain.sem).size).toBeGreaterThan(5);
    expect(new Set(plain.ac).size).toBeGreaterThan(10);
    expect(Object.keys(plain.traces)).toEqual(['t2s', 's2a0', 's2a1', 's2a2']);
  });

  it.each(golden.cases.map((c) => [c.name, c] as const))(
    'chooses the PyTorch reference tokens at every step on %s (same seed)',
    async (_, c) => {
      const events: StepEvent[] = [];
      const inner = graphsFor(c);
      const feeds: T2sFeed[] = [];
      const spy: MaskGctGraphs = {
        info: inner.info,
        t2s: (feed) => {
          feeds.push(feed);
          return inner.t2s(feed);
        },
        s2a: (feed) => inner.s2a(feed),
        decode: (ac, n) => inner.decode(ac, n),
      };
      const { logMel, results } = await synthesizeMel(
        spy,
        c.phrases.map((p) => p.phones),
        { ...c.options, onStep: (e) => events.push(e) },
      );
      expect(results).toHaveLength(c.phrases.length);
      let call = 0;
      c.phrases.forEach((want, k) => {
        const got = results[k]!;
        expect(got.numFrames).toBe(want.numFrames);
        // Same float32 positions as PyTorch, bit for bit (T2S is called t2sSteps times per phrase).
        expect([...feeds[call]!.phonePos]).toEqual(want.phonePos);
        call += want.traces.t2s!.length;
        if (want.centres === null) expect(got.centres).toBeUndefined();
        else expect([...got.centres!]).toEqual(want.centres);
        for (const [pass, steps] of Object.entries(want.traces)) {
          const mine = events.filter((e) => e.phrase === k && e.pass === pass);
          expect(mine.map((e) => [...e.trace.chosen])).toEqual(steps.map((s) => s.chosen));
          expect(mine.map((e) => [...e.trace.masked])).toEqual(steps.map((s) => s.masked));
        }
        expect([...got.sem]).toEqual(want.sem);
        expect([...got.ac]).toEqual(want.ac);
        expect(maxAbsDiff(got.logMel, want.logMel)).toBeLessThan(1e-4);
      });
      expect(maxAbsDiff(logMel, concat(c.phrases.map((p) => p.logMel)))).toBeLessThan(1e-4);
      expect(feeds).toHaveLength(call);
    },
  );

  it('keeps prompt tokens fixed in every graph call', async () => {
    const c = golden.cases.find((x) => x.prompt !== undefined)!;
    const prompt = c.prompt!;
    const tp = prompt.sem.length;
    const q = model.info.codecLayers;
    const inner = graphsFor(c);
    let calls = 0;
    const spy: MaskGctGraphs = {
      info: inner.info,
      t2s: (feed) => {
        calls++;
        expect([...feed.semIds.subarray(0, tp)]).toEqual([...prompt.sem]);
        expect([...feed.semMasked.subarray(0, tp)].every((v) => v === 0)).toBe(true);
        expect(feed.phoneIds.slice(0, prompt.phones.length)).toEqual(prompt.phones);
        return inner.t2s(feed);
      },
      s2a: (feed) => {
        calls++;
        expect([...feed.acIds.subarray(0, tp * q)]).toEqual([...prompt.ac]);
        expect([...feed.acKnown.subarray(0, tp * q)].every((v) => v === 1)).toBe(true);
        expect([...feed.semIds.subarray(0, tp)]).toEqual([...prompt.sem]);
        return inner.s2a(feed);
      },
      decode: (ac, n) => inner.decode(ac, n),
    };
    const { results } = await synthesizeMel(
      spy,
      c.phrases.map((p) => p.phones),
      c.options,
    );
    expect(calls).toBeGreaterThan(5);
    expect([...results[0]!.ac]).toEqual(c.phrases[0]!.ac);
  });

  it('streams phrase by phrase into VocoderStream (audio equals whole-utterance synthesis)', async () => {
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
          for (let i = 0; i < 4; i++)
            out[t * 4 + i] = frameSum(t) + 0.5 * frameSum(t - 1) + (i + 1) * frameSum(t + 1);
        }
        return out;
      },
    };
    const c = golden.cases.find((x) => x.name === 'table-phrases')!;
    const synthesis = new MaskGctSynthesis(
      graphsFor(c),
      c.phrases.map((p) => p.phones),
      c.options,
    );
    const starts: number[] = [];
    const chunks = {
      async *[Symbol.asyncIterator]() {
        for await (const chunk of synthesis) {
          starts.push(chunk.startFrame);
          yield chunk;
        }
      },
    };
    const pieces: Float32Array[] = [];
    for await (const audio of vocodeMel(chunks, new VocoderStream(toy, { maxFramesPerRun: 8 })))
      pieces.push(audio);
    expect(starts).toEqual([0, c.phrases[0]!.numFrames]);
    const mel = concat(c.phrases.map((p) => p.logMel));
    const whole = await toy.synthesize(mel, mel.length / 80);
    const scale = Math.max(...whole.map(Math.abs));
    expect(maxAbsDiff(concat(pieces), whole) / scale).toBeLessThan(1e-4);
  });

  it('stops on abort between graph calls', async () => {
    const c = golden.cases.find((x) => x.name === 'phrases')!;
    const controller = new AbortController();
    const synthesis = new MaskGctSynthesis(
      graphsFor(c),
      c.phrases.map((p) => p.phones),
      { ...c.options, signal: controller.signal },
    );
    let seen = 0;
    await expect(
      (async () => {
        for await (const _ of synthesis) {
          seen++;
          controller.abort();
        }
      })(),
    ).rejects.toThrow();
    expect(seen).toBe(1);
    expect(synthesis.results).toHaveLength(1);
    const early = new AbortController();
    let steps = 0;
    const mid = new MaskGctSynthesis(model, [golden.ids], {
      signal: early.signal,
      onStep: () => {
        if (++steps === 3) early.abort();
      },
    });
    await expect(synthesizeMel(model, [golden.ids], { signal: AbortSignal.abort() })).rejects.toThrow();
    await expect(
      (async () => {
        for await (const _ of mid) {
          // never reached: aborted inside the first phrase
        }
      })(),
    ).rejects.toThrow();
    expect(steps).toBe(3);
  });

  it('rejects bad input with coded errors', () => {
    const feed = { code: 'MODEL_FEED_INVALID' };
    const config = { code: 'CONFIG_INVALID' };
    expect(() => new MaskGctSynthesis(model, [])).toThrow(expect.objectContaining(feed));
    expect(() => new MaskGctSynthesis(model, [[]])).toThrow(expect.objectContaining(feed));
    expect(() => new MaskGctSynthesis(model, [[999]])).toThrow(expect.objectContaining(feed));
    expect(() => new MaskGctSynthesis(model, [[1.5]])).toThrow(expect.objectContaining(feed));
    const prompt = { phones: [20], sem: Int32Array.from([1, 2]), ac: new Int32Array(5) };
    expect(() => new MaskGctSynthesis(model, [golden.ids], { prompt })).toThrow(
      expect.objectContaining(feed),
    );
    const badCode = { ...prompt, ac: new Int32Array(6).fill(32) };
    expect(() => new MaskGctSynthesis(model, [golden.ids], { prompt: badCode })).toThrow(
      expect.objectContaining(feed),
    );
    for (const options of [
      { t2sSteps: 0 },
      { s2aSteps: [1, 1] },
      { s2aSteps: [1, 0, 1] },
      { t2sTopK: 0 },
      { t2sTemperature: 0 },
      { s2aCfg: Number.NaN },
      { confNoise: -1 },
      { speed: 0 },
      { seed: -1 },
      { seed: 2 ** 53 },
      { numFrames: 0 },
      { numFrames: 2000 },
      { promptFrames: 0 },
    ]) {
      expect(() => new MaskGctSynthesis(model, [golden.ids], options), JSON.stringify(options)).toThrow(
        expect.objectContaining(config),
      );
    }
  });

  it('graph calls with bad shapes are coded errors', async () => {
    await expect(
      model.t2s({
        phoneIds: [20],
        phonePos: new Float32Array(2),
        semIds: new Int32Array(3),
        semMasked: new Float32Array(3),
        dropPrefix: [0],
      }),
    ).rejects.toMatchObject({ code: 'MODEL_FEED_INVALID' });
    await expect(
      model.s2a({
        semIds: new Int32Array(2),
        acIds: new Int32Array(6),
        acKnown: new Float32Array(6),
        layer: 3,
        dropPrefix: [0],
      }),
    ).rejects.toMatchObject({ code: 'MODEL_FEED_INVALID' });
    await expect(model.decode(new Int32Array(5), 2)).rejects.toMatchObject({ code: 'MODEL_FEED_INVALID' });
  });

  it('refuses a directory without the three graphs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'maskgct-'));
    try {
      await expect(MaskGctModel.load(dir)).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
      await expect(MaskGctModel.load(join(dir, 'nope'))).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
      for (const file of ['t2s.onnx', 's2a.onnx'])
        await copyFile(join(maskgctFixtureDir, file), join(dir, file));
      await copyFile(join(maskgctFixtureDir, 's2a.onnx'), join(dir, 'codec_decoder.onnx'));
      await expect(MaskGctModel.load(dir)).rejects.toMatchObject({
        code: 'MODEL_CONTRACT_MISMATCH',
        message: expect.stringMatching(/codec_decoder\.onnx: inputs sem_ids,ac_ids/),
      });
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});
