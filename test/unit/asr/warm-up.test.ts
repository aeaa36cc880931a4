// warmUpEngine: it drives every call shape the engine will see (one stream, each batch
// size as a batch drains, the second pass) and leaves nothing behind: a clip decoded
// after it gives the tokens a fresh engine gives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AsrEngine, loadAsrEngine } from '../../../asr/engine.js';
import type { StreamingRecognizer } from '../../../asr/recognizer.js';
import { warmUpEngine } from '../../../asr/warm-up.js';
import { clip16k, haveData, zooDir } from './helpers/clips.js';
import { decodeWhole } from './helpers/decode-whole.js';

const primary = `${zooDir}/nemo-streaming-hybrid`;
const secondPass = `${zooDir}/paraformer-offline`;

const decode = (engine: AsrEngine, samples: Float32Array) =>
  decodeWhole(engine.primary.recognizer as StreamingRecognizer, samples);

describe.runIf(haveData())('warmUpEngine', () => {
  let warm: AsrEngine;
  let fresh: AsrEngine;
  beforeAll(async () => {
    warm = await loadAsrEngine({ model: primary, secondPassModel: secondPass });
    fresh = await loadAsrEngine({ model: primary });
  });
  afterAll(async () => {
    await warm.close();
    await fresh.close();
  });

  it('runs one stream alone, then every batch size from maxBatch down to two, then the second pass', async () => {
    const recognizer = warm.primary.recognizer as StreamingRecognizer;
    const sizes: number[] = [];
    const original = recognizer.decode.bind(recognizer);
    recognizer.decode = async (streams) => {
      sizes.push(streams.length);
      return original(streams);
    };
    const second = warm.secondPass!.recognizer;
    let transcribed = 0;
    const transcribe = second.transcribe.bind(second);
    second.transcribe = async (samples) => {
      transcribed++;
      return transcribe(samples);
    };
    try {
      const ms = await warmUpEngine(warm, 6);
      expect(ms).toBeGreaterThan(0);
    } finally {
      // Own properties shadowed the prototype's methods; removing them restores those.
      delete (recognizer as Partial<StreamingRecognizer>).decode;
      delete (second as { transcribe?: unknown }).transcribe;
    }
    expect(sizes[0]).toBe(1);
    for (let b = 1; b <= 6; b++) expect(sizes, `batch of ${b}`).toContain(b);
    expect(transcribed).toBe(1);
  });

  it('decodes one stream with both heads when 2-pass finals vote, and none otherwise', async () => {
    const voting = await loadAsrEngine({
      model: primary,
      secondPassModel: secondPass,
      secondPassCombine: 'vote',
    });
    try {
      const decodersOf = async (engine: AsrEngine) => {
        const recognizer = engine.primary.recognizer as StreamingRecognizer;
        const asked: (string | undefined)[] = [];
        const create = recognizer.createStream.bind(recognizer);
        recognizer.createStream = (options) => {
          asked.push(options?.decoder);
          return create(options);
        };
        try {
          await warmUpEngine(engine, 2);
        } finally {
          delete (recognizer as Partial<StreamingRecognizer>).createStream;
        }
        return asked;
      };
      expect((await decodersOf(voting)).filter((d) => d === 'hybrid')).toHaveLength(1);
      expect(await decodersOf(warm)).not.toContain('hybrid');
    } finally {
      await voting.close();
    }
  });

  it('leaves no state behind: a clip after it decodes as on a fresh engine', async () => {
    const samples = await clip16k('clips/jfk.wav');
    const tokens = await decode(warm, samples);
    expect(tokens.length).toBeGreaterThan(5);
    expect(tokens).toEqual(await decode(fresh, samples));
  });
});
