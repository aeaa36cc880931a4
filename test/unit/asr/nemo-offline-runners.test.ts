// The NeMo offline runners (models/nemo/offline-*): batching layout, the frames each
// utterance keeps, int32/int64 encoded lengths, and contract errors.
import { describe, expect, it } from 'vitest';
import { isSpeechError } from '../../../common/errors.js';
import { CTC_BATCH_PAD, type OfflineFeatures, packFeatures } from '../../../models/nemo/offline-batch.js';
import { NemoOfflineCtcModel } from '../../../models/nemo/offline-ctc-model.js';
import { NemoOfflineTransducerEncoder } from '../../../models/nemo/offline-transducer-encoder.js';
import { createSession, type ModelSession } from '../../../models/runtime/session.js';
import {
  float32Data,
  float32Tensor,
  int32Tensor,
  int64Data,
  type ModelTensor,
} from '../../../models/runtime/tensor.js';
import { zooDir } from './helpers/clips.js';

function randomFeatures(numFrames: number, seed: number, dim = 80): OfflineFeatures {
  let s = seed >>> 0 || 1;
  const data = Float32Array.from({ length: numFrames * dim }, () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) / 0x100000000) * 8 - 6; // log-mel-like values
  });
  return { data, numFrames };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** A stand-in session: fixed declared I/O, returns `outputs` and records the feeds. */
function fakeSession(outputs: ModelTensor[], inputCount = 2, outputCount = outputs.length) {
  const feeds: ModelTensor[][] = [];
  const session = {
    label: 'fake/encoder',
    provider: 'cpu',
    inputs: Array.from({ length: inputCount }, (_, i) => ({
      name: `in${i}`,
      dtype: 'float32',
      dims: i === 0 ? ['B', 3, 'T'] : ['B'],
    })),
    outputs: Array.from({ length: outputCount }, (_, i) => ({
      name: `out${i}`,
      dtype: 'float32',
      dims: undefined,
    })),
    inputNames: [],
    outputNames: [],
    runPositional: async (inputs: ModelTensor[]) => {
      feeds.push(inputs);
      return outputs;
    },
    release: async () => {},
  };
  return { session: session as unknown as ModelSession, feeds };
}

describe('packFeatures', () => {
  it('lays out [B, F, T] channel-first, pads past each length, and feeds int64 lengths', () => {
    const a = { data: Float32Array.from([1, 2, 3, 4]), numFrames: 2 }; // frames [1,2], [3,4]
    const b = { data: Float32Array.from([5, 6, 7, 8, 9, 10]), numFrames: 3 };
    const packed = packFeatures([a, b], 2, CTC_BATCH_PAD, 'test');
    expect(packed.features.dims).toEqual([2, 2, 3]);
    const p = CTC_BATCH_PAD;
    expect(Array.from(float32Data(packed.features))).toEqual(
      [1, 3, p, 2, 4, p, 5, 7, 9, 6, 8, 10].map((v) => Math.fround(v)),
    );
    expect(Array.from(int64Data(packed.lengths))).toEqual([2n, 3n]);
  });

  it('rejects features that are not whole frames', () => {
    expect(() => packFeatures([{ data: new Float32Array(5), numFrames: 2 }], 2, 0, 'test')).toThrow(
      expect.objectContaining({ code: 'MODEL_FEED_INVALID' }),
    );
  });
});

describe('NeMo offline runners on the zoo fixtures', () => {
  const batch = [randomFeatures(325, 11), randomFeatures(200, 12)];

  it('CTC keeps length // 8 frames per utterance; a batch equals each alone', async () => {
    const session = await createSession(`${zooDir}/nemo-offline-ctc/model.onnx`);
    const model = new NemoOfflineCtcModel(session, 8);
    try {
      expect(model.featDim).toBe(80);
      const together = await model.run(batch);
      expect(together.map((o) => o.numFrames)).toEqual([40, 25]);
      for (const [i, out] of together.entries()) {
        expect(out.width).toBe(41);
        expect(out.logProbs).toHaveLength(out.numFrames * 41);
        let total = 0;
        for (let v = 0; v < 41; v++) total += Math.exp(out.logProbs[v]!);
        expect(total).toBeCloseTo(1, 4); // rows are log-probabilities
        const [alone] = await model.run([batch[i]!]);
        expect(maxAbsDiff(out.logProbs, alone!.logProbs)).toBeLessThan(1e-4);
      }
    } finally {
      await model.release();
    }
  });

  it('the transducer encoder returns encoded_lengths frames, time-major; a batch equals each alone', async () => {
    const session = await createSession(`${zooDir}/nemo-offline-transducer/encoder.onnx`);
    const encoder = new NemoOfflineTransducerEncoder(session);
    try {
      expect(encoder.declaredEncDim).toBe(64);
      const together = await encoder.encode(batch);
      // L -> L // 2 + 1 three times (the fixture's causal subsampling)
      expect(together.map((o) => o.numFrames)).toEqual([42, 26]);
      for (const [i, out] of together.entries()) {
        expect(out.frames).toHaveLength(out.numFrames * 64);
        const [alone] = await encoder.encode([batch[i]!]);
        expect(maxAbsDiff(out.frames, alone!.frames)).toBeLessThan(1e-4);
      }
    } finally {
      await encoder.release();
    }
  });
});

describe('NeMo offline transducer encoder contract', () => {
  // [B=2, D=2, T'=3] channel-first: utterance 0 channels (0,1,2) and (3,4,5)
  const y = float32Tensor([0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15], [2, 2, 3]);
  const features = [randomFeatures(4, 1, 3), randomFeatures(2, 2, 3)];

  it('accepts int32 encoded_lengths and transposes to time-major', async () => {
    const { session, feeds } = fakeSession([y, int32Tensor([3, 2], [2])]);
    const encoder = new NemoOfflineTransducerEncoder(session);
    const [a, b] = await encoder.encode(features);
    expect(feeds[0]![0]!.dims).toEqual([2, 3, 4]);
    expect(a).toEqual({ frames: Float32Array.from([0, 3, 1, 4, 2, 5]), numFrames: 3 });
    expect(b).toEqual({ frames: Float32Array.from([10, 13, 11, 14]), numFrames: 2 });
  });

  it('rejects float lengths and the wrong number of graph inputs', async () => {
    const { session } = fakeSession([y, float32Tensor([3, 2], [2])]);
    const encoder = new NemoOfflineTransducerEncoder(session);
    await expect(encoder.encode(features)).rejects.toSatisfy((err) =>
      isSpeechError(err, 'MODEL_CONTRACT_MISMATCH'),
    );
    const three = fakeSession([y, int32Tensor([3, 2], [2])], 3).session;
    expect(() => new NemoOfflineTransducerEncoder(three)).toThrow(
      expect.objectContaining({ code: 'MODEL_CONTRACT_MISMATCH' }),
    );
  });
});
