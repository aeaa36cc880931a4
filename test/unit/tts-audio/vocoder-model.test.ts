import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSpeechError } from '../../../common/errors.js';
import { VocoderModel } from '../../../models/tts/vocoder-model.js';
import { maxAbsDiff } from './mel-golden.js';
import { embeddedVocoder, vocoderReference } from './vocoder-fixture.js';

// Reference: test/fixtures/tts/vocoder-reference.{json,f32}, the torch model's own output for
// held-out log-mels, written by the same export that produced the ONNX:
//   /usr/bin/python3 models/py/tts/vocoder/export.py --checkpoint <checkpoint>
// Re-export and regenerate together; a model without matching fixtures fails here.
describe('VocoderModel (embedded tts-vocoder)', () => {
  let model: VocoderModel;
  const reference = vocoderReference();

  it('has the reference cases (held-out speech and the shortest inputs)', () => {
    expect(reference.cases.map((c) => [c.name, c.numFrames, c.audio.length])).toEqual([
      ['heldout-0', 150, 150 * 320],
      ['heldout-1', 97, 97 * 320],
      ['one-frame', 1, 320],
      ['three-frames', 3, 960],
    ]);
    // Audible references (peaks 0.2-0.7), so the 1e-4 bound below is not met by silence.
    for (const c of reference.cases) expect(Math.max(...c.audio.map(Math.abs))).toBeGreaterThan(0.1);
  });

  beforeAll(async () => {
    model = await VocoderModel.load(embeddedVocoder, { intraOpThreads: 1 });
  });
  afterAll(async () => {
    await model?.release();
  });

  it('declares the contract and the streaming geometry', () => {
    expect(model.sampleRate).toBe(16000);
    expect(model.hopLength).toBe(320);
    expect(model.numMels).toBe(80);
    expect(model.receptiveLeftFrames).toBe(reference.receptiveLeft);
    expect(model.lookaheadFrames).toBe(2);
  });

  it.each(reference.cases.map((c) => [c.name, c] as const))(
    'equals the torch model through onnxruntime-node on %s',
    async (_, c) => {
      const audio = await model.synthesize(c.logMel, c.numFrames);
      expect(audio.length).toBe(c.numFrames * 320);
      expect(maxAbsDiff(audio, c.audio)).toBeLessThan(1e-4);
    },
  );

  it('rejects a log-mel that is not whole frames of 80', async () => {
    await expect(model.synthesize(new Float32Array(81), 1)).rejects.toSatisfy(
      (e) => isSpeechError(e) && e.code === 'MODEL_FEED_INVALID',
    );
    await expect(model.synthesize(new Float32Array(0), 0)).rejects.toThrow(/numFrames >= 1/);
  });

  it('refuses an ONNX that is not a vocoder, naming what differs', async () => {
    const other = resolve(import.meta.dirname, '../../fixtures/onnx/probe-identity.onnx');
    await expect(VocoderModel.load(other)).rejects.toSatisfy(
      (e) => isSpeechError(e) && e.code === 'MODEL_CONTRACT_MISMATCH' && /model_type/.test(e.message),
    );
  });
});
