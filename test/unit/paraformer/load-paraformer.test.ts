// Building Paraformer recognizers from model directories, and the runners' load-time
// contract checks (positional I/O, dtypes, static dims named in the error).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  loadParaformerRecognizer,
  OfflineParaformerRecognizer,
  StreamingParaformerRecognizer,
} from '../../../asr/paraformer/index.js';
import { OfflineParaformerModel } from '../../../models/paraformer/offline-paraformer-model.js';
import { StreamingParaformerDecoder } from '../../../models/paraformer/streaming-paraformer-decoder.js';
import { StreamingParaformerEncoder } from '../../../models/paraformer/streaming-paraformer-encoder.js';
import { OFFLINE_DIR, repoRoot, STREAMING_DIR } from './helpers.js';

describe('loadParaformerRecognizer', () => {
  it('builds the offline recognizer for paraformer-offline', async () => {
    const r = await loadParaformerRecognizer(OFFLINE_DIR, { intraOpThreads: 1 });
    try {
      expect(r).toBeInstanceOf(OfflineParaformerRecognizer);
      expect(r.info.family).toBe('paraformer-offline');
      expect(r.info.id).toBe('paraformer-offline');
    } finally {
      await r.close();
    }
  });

  it('builds the streaming recognizer for paraformer-streaming', async () => {
    const r = await loadParaformerRecognizer(STREAMING_DIR, { intraOpThreads: 1 });
    try {
      expect(r).toBeInstanceOf(StreamingParaformerRecognizer);
      expect(r.info.mode).toBe('streaming');
      await r.close();
      expect(() => (r as StreamingParaformerRecognizer).createStream()).toThrow(/after close/);
    } finally {
      await r.close();
    }
  });

  it('refuses a model directory of another family', async () => {
    await expect(
      loadParaformerRecognizer(join(repoRoot, 'test/fixtures/zoo/nemo-offline-ctc')),
    ).rejects.toMatchObject({ code: 'MODEL_MANIFEST_INVALID' });
  });
});

describe('Paraformer runners check the graph contract at load', () => {
  it('offline: names the input whose static dim differs', async () => {
    await expect(
      OfflineParaformerModel.create(join(OFFLINE_DIR, 'model.onnx'), { featureDim: 480, vocabSize: 40 }),
    ).rejects.toMatchObject({
      code: 'MODEL_CONTRACT_MISMATCH',
      message: expect.stringMatching(/speech.*480/),
    });
    await expect(
      OfflineParaformerModel.create(join(OFFLINE_DIR, 'model.onnx'), { featureDim: 560, vocabSize: 41 }),
    ).rejects.toMatchObject({ code: 'MODEL_CONTRACT_MISMATCH', message: expect.stringMatching(/logits/) });
  });

  it('offline: detects the BiCif outputs and returns them by position', async () => {
    const m = await OfflineParaformerModel.create(join(OFFLINE_DIR, 'model.onnx'), {
      featureDim: 560,
      vocabSize: 40,
    });
    try {
      expect(m.hasTimestamps).toBe(true);
      const frames = [30, 12];
      const out = await m.run(
        frames.map((n) => ({ data: new Float32Array(n * 560).fill(0.5), numFrames: n })),
      );
      expect(out.batchSize).toBe(2);
      expect(out.timestamps?.length).toBe(3 * 30);
      expect(out.logProbs.length).toBe(2 * out.numPositions * 40);
      expect(Math.max(...out.tokenNum)).toBe(out.numPositions);
    } finally {
      await m.release();
    }
  });

  it('streaming: the encoder is not a decoder and the decoder needs its block count', async () => {
    await expect(
      StreamingParaformerEncoder.create(join(STREAMING_DIR, 'decoder.onnx'), {
        featureDim: 560,
        encoderOutputSize: 64,
      }),
    ).rejects.toMatchObject({ code: 'MODEL_CONTRACT_MISMATCH' });
    await expect(
      StreamingParaformerDecoder.create(join(STREAMING_DIR, 'decoder.onnx'), {
        encoderOutputSize: 64,
        numBlocks: 3,
        kernelSize: 11,
        vocabSize: 40,
      }),
    ).rejects.toMatchObject({
      code: 'MODEL_CONTRACT_MISMATCH',
      message: expect.stringMatching(/3 decoder blocks/),
    });
  });
});
