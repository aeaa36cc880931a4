import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSpeechModel } from '../../../models/tts/load-speech-model.js';
import { textTokens } from '../../../tts/ardit/ardit-generator.js';
import type { MelVocoder } from '../../../tts/audio/vocoder-stream.js';
import { LOG_MEL_FLOOR } from '../../../tts/mel-spec.js';
import { melToSpeech } from '../../../tts/speech/mel-to-speech.js';
import type { SpeechChunk, SpeechSynthesizer } from '../../../tts/speech/speech-synthesizer.js';

const fixtures = join(import.meta.dirname, '..', '..', 'fixtures', 'tts');

async function collect(chunks: AsyncIterable<SpeechChunk>): Promise<SpeechChunk[]> {
  const out: SpeechChunk[] = [];
  for await (const c of chunks) out.push(c);
  return out;
}

function joined(chunks: readonly SpeechChunk[]): Float32Array {
  const out = new Float32Array(chunks.reduce((n, c) => n + c.samples.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c.samples, at);
    at += c.samples.length;
  }
  return out;
}

/** A vocoder whose block t is mel frame t's first bin, repeated: makes joins visible. */
const firstBinVocoder: MelVocoder = {
  hopLength: 4,
  numMels: 2,
  receptiveLeftFrames: 0,
  lookaheadFrames: 0,
  async synthesize(logMel, numFrames) {
    const out = new Float32Array(numFrames * 4);
    for (let t = 0; t < numFrames; t++) out.fill(logMel[t * 2]!, t * 4, t * 4 + 4);
    return out;
  },
};

describe('melToSpeech', () => {
  it('vocodes phrases back to back with silent mel between them, tagging each piece with its phrase', async () => {
    const chunk = (values: number[], startFrame = 0) => ({
      logMel: Float32Array.from(values.flatMap((v) => [v, 0])),
      numFrames: values.length,
      startFrame,
    });
    const chunks = await collect(
      melToSpeech(
        [
          { chunks: [chunk([1, 2]), chunk([3], 2)], pauseFrames: 2 },
          { chunks: [chunk([4, 5])], pauseFrames: 0 },
        ],
        firstBinVocoder,
      ),
    );
    const floor = Math.fround(LOG_MEL_FLOOR);
    const expected = [1, 2, 3, floor, floor, 4, 5].flatMap((v) => [v, v, v, v]);
    expect(Array.from(joined(chunks))).toEqual(expected);
    expect(chunks.filter((c) => c.phrase === 0).reduce((n, c) => n + c.samples.length, 0)).toBe(5 * 4);
    expect(chunks.filter((c) => c.phrase === 1).reduce((n, c) => n + c.samples.length, 0)).toBe(2 * 4);
  });

  it('stops at the next chunk once aborted', async () => {
    const controller = new AbortController();
    const gen = melToSpeech(
      [{ chunks: [{ logMel: new Float32Array(2), numFrames: 1, startFrame: 0 }], pauseFrames: 3 }],
      firstBinVocoder,
      controller.signal,
    );
    controller.abort();
    await expect(gen.next()).rejects.toThrow();
  });
});

describe('textTokens (voice token of multi-voice ARDiT models; mirrors config.py text_tokens)', () => {
  it('puts voice v as token vocabSize + v in front of the phones', () => {
    const info = { vocabSize: 48, voices: ['a', 'b', 'c'] };
    expect(textTokens(info, [10, 11], undefined)).toEqual([48, 10, 11]);
    expect(textTokens(info, [10, 11], 2)).toEqual([50, 10, 11]);
    expect(() => textTokens(info, [10], 3)).toThrow(expect.objectContaining({ code: 'TTS_VOICE_UNKNOWN' }));
  });

  it('adds nothing for a single-voice model, and refuses another voice', () => {
    const info = { vocabSize: 48, voices: [] };
    expect(textTokens(info, [10, 11], undefined)).toEqual([10, 11]);
    expect(textTokens(info, [10, 11], 0)).toEqual([10, 11]);
    expect(() => textTokens(info, [10], 1)).toThrow(expect.objectContaining({ code: 'TTS_VOICE_UNKNOWN' }));
  });
});

describe.each([
  ['ardit-tiny', 'ardit-tts', 'default'],
  ['maskgct-tiny', 'maskgct-tts', 'probe'],
])('loadSpeechModel(%s) on the random-weight fixture', (dirName, family, voice) => {
  let synth: SpeechSynthesizer;

  beforeAll(async () => {
    synth = await loadSpeechModel(join(fixtures, dirName), { session: { intraOpThreads: 1 } });
  });
  afterAll(async () => {
    await synth?.close();
  });

  it('describes itself', () => {
    expect(synth.family).toBe(family);
    expect(synth.sampleRate).toBe(16000);
    expect(synth.voices).toEqual([voice]);
    expect(synth.defaultVoice).toBe(voice);
    expect(synth.provider).toBe('cpu');
  });

  it('speaks every phrase, deterministically for a seed', async () => {
    const text = 'Good morning. The train leaves at 9:30.';
    const a = await collect(synth.speak({ text, seed: 3 }));
    const b = await collect(synth.speak({ text, seed: 3, voice }));
    const c = await collect(synth.speak({ text, seed: 4 }));
    expect(new Set(a.map((x) => x.phrase))).toEqual(new Set([0, 1]));
    const wa = joined(a);
    expect(wa.length % 320).toBe(0);
    expect(wa.length).toBeGreaterThan(16000 * 0.5);
    expect(wa.every(Number.isFinite)).toBe(true);
    expect(joined(b)).toEqual(wa);
    expect(joined(c)).not.toEqual(wa);
  });

  it('refuses bad requests before any audio', () => {
    expect(() => synth.speak({ text: 'hi', voice: 'nobody' })).toThrow(
      expect.objectContaining({ code: 'TTS_VOICE_UNKNOWN' }),
    );
    expect(() => synth.speak({ text: '...' })).toThrow(
      expect.objectContaining({ code: 'TTS_INPUT_INVALID' }),
    );
    expect(() => synth.speak({ text: 'hi', speed: 9 })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });

  it('stops generating when aborted', async () => {
    const controller = new AbortController();
    const pieces: SpeechChunk[] = [];
    await expect(
      (async () => {
        for await (const c of synth.speak({
          text: 'One. Two. Three. Four. Five.',
          signal: controller.signal,
        })) {
          pieces.push(c);
          controller.abort();
        }
      })(),
    ).rejects.toThrow();
    expect(pieces.length).toBe(1);
  });
});

describe('loadSpeechModel refusals', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'speech-model-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a vocoder directory', async () => {
    await expect(
      loadSpeechModel(join(import.meta.dirname, '..', '..', '..', 'models', 'embedded', 'tts-vocoder')),
    ).rejects.toMatchObject({ code: 'MODEL_MANIFEST_INVALID' });
  });

  it('names a missing vocoder', async () => {
    const model = join(dir, 'no-vocoder');
    await cp(join(fixtures, 'ardit-tiny'), model, { recursive: true });
    await writeFile(
      join(model, 'speechstream.json'),
      JSON.stringify({ id: 'x', family: 'ardit-tts', task: 'tts', vocoder: 'nope-vocoder' }),
    );
    await expect(loadSpeechModel(model)).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
  });

  it("uses the manifest's sampling settings, and refuses bad ones at load", async () => {
    const model = join(dir, 'sampling');
    await cp(join(fixtures, 'maskgct-tiny'), model, { recursive: true });
    const manifest = JSON.parse(await readFile(join(model, 'speechstream.json'), 'utf8'));
    const text = 'Sampling settings.';
    const plain = await loadSpeechModel(model);
    const reference = joined(await collect(plain.speak({ text })));
    await plain.close();
    await writeFile(
      join(model, 'speechstream.json'),
      JSON.stringify({ ...manifest, sampling: { t2sSteps: 2 } }),
    );
    const tuned = await loadSpeechModel(model);
    const fewer = joined(await collect(tuned.speak({ text })));
    await tuned.close();
    expect(fewer).not.toEqual(reference);
    const viaOption = await loadSpeechModel(join(fixtures, 'maskgct-tiny'), { generation: { t2sSteps: 2 } });
    expect(joined(await collect(viaOption.speak({ text })))).toEqual(fewer);
    await viaOption.close();
    await writeFile(
      join(model, 'speechstream.json'),
      JSON.stringify({ ...manifest, sampling: { s2aSteps: [1] } }),
    );
    await expect(loadSpeechModel(model)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await writeFile(
      join(model, 'speechstream.json'),
      JSON.stringify({ ...manifest, sampling: { flowSteps: 2 } }),
    );
    await expect(loadSpeechModel(model)).rejects.toMatchObject({ code: 'MODEL_MANIFEST_INVALID' });
    await expect(
      loadSpeechModel(join(fixtures, 'maskgct-tiny'), { generation: { flowSteps: 2 } }),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('refuses a voice prompt that is not one', async () => {
    const model = join(dir, 'bad-voice');
    await cp(join(fixtures, 'maskgct-tiny'), model, { recursive: true });
    await writeFile(join(model, 'voices', 'probe.json'), JSON.stringify({ name: 'probe', phones: [] }));
    await expect(loadSpeechModel(model)).rejects.toMatchObject({ code: 'MODEL_MANIFEST_INVALID' });
  });

  it('refuses a voice prompt whose phone_pos is not one finite position per phone', async () => {
    const model = join(dir, 'bad-phone-pos');
    await cp(join(fixtures, 'maskgct-tiny'), model, { recursive: true });
    const file = join(model, 'voices', 'probe.json');
    const voice = JSON.parse(await readFile(file, 'utf8'));
    expect(voice.phone_pos).toHaveLength(voice.phones.length); // the fixture's own is valid
    for (const phonePos of ['[1, 2]', '[1, 2, 3, 4]', '[1, "2", 3]', '[1, 2, 1e999]', '"1,2,3"']) {
      const { phone_pos: _, ...rest } = voice;
      const json = JSON.stringify(rest).replace(/}$/, `,"phone_pos":${phonePos}}`);
      await writeFile(file, json);
      await expect(loadSpeechModel(model), phonePos).rejects.toMatchObject({
        code: 'MODEL_MANIFEST_INVALID',
        message: expect.stringContaining('probe.json'),
      });
    }
  });
});
