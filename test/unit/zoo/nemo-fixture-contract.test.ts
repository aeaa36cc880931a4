// The NeMo fixtures keep the public NeMo / sherpa-onnx ONNX contracts
// (../shared/reference/asr-model-contracts.md 2.1.1-2.1.2, 2.2.1-2.2.2, 2.3, 4.3):
// file hashes, tokens.txt, metadata read from the .onnx bytes, and graph I/O as
// onnxruntime sees it (order, names, dtypes, static dims).
import { existsSync } from 'node:fs';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { readOnnxMetadata } from '../../../models/py/zoo/check_streaming_nemo.mjs';
import {
  fixtureDir,
  type NemoManifest,
  nemoFixtures,
  readManifest,
  readTokens,
  sha256,
} from './nemo-fixtures.js';

const streamingInputs = [
  'audio_signal',
  'length',
  'cache_last_channel',
  'cache_last_time',
  'cache_last_channel_len',
];
const stateOutputs = ['cache_last_channel_next', 'cache_last_time_next', 'cache_last_channel_next_len'];
const cacheKeys = [1, 2, 3].flatMap((i) => [`cache_last_channel_dim${i}`, `cache_last_time_dim${i}`]);

/** The file that carries the model metadata sherpa reads. */
function metadataFile(m: NemoManifest): string {
  return m.head === 'ctc' ? 'model.onnx' : 'encoder.onnx';
}

async function session(name: string, file: string): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(path.join(fixtureDir(name), file), { intraOpNumThreads: 1 });
}

function intMeta(meta: Record<string, string>, key: string): number {
  const value = meta[key];
  expect(value, `metadata ${key}`).toMatch(/^\d+$/);
  return Number(value);
}

describe.each(nemoFixtures)('%s', (name) => {
  const manifest = readManifest(name);
  const dir = fixtureDir(name);

  it('files match the hashes the builder recorded', () => {
    for (const [file, info] of Object.entries(manifest.files)) {
      expect(existsSync(path.join(dir, file)), file).toBe(true);
      expect(sha256(path.join(dir, file)), file).toBe(info.sha256);
    }
  });

  it('tokens.txt lists vocab_size pieces then <blk> = vocab_size', () => {
    const meta = readOnnxMetadata(path.join(dir, metadataFile(manifest)));
    const vocab = intMeta(meta, 'vocab_size');
    const tokens = readTokens(name);
    expect(tokens).toHaveLength(vocab + 1);
    expect(tokens.map((t) => t.id)).toEqual([...Array(vocab + 1).keys()]);
    expect(tokens.at(-1)).toEqual({ symbol: '<blk>', id: vocab });
    expect(tokens.filter((t) => t.symbol === '<blk>')).toHaveLength(1);
    expect(tokens.every((t) => t.symbol.length > 0 && !/\s/.test(t.symbol))).toBe(true);
    expect(manifest.tokenCount).toBe(vocab + 1);
    expect(manifest.blankId).toBe(vocab);
  });

  it('metadata in every .onnx equals what the manifest says was written', () => {
    for (const [file, info] of Object.entries(manifest.files)) {
      if (!file.endsWith('.onnx')) continue;
      const meta = readOnnxMetadata(path.join(dir, file));
      expect(meta, file).toEqual(info.metadata ?? {});
    }
  });

  it('metadata has the keys sherpa requires, with consistent values', () => {
    const meta = readOnnxMetadata(path.join(dir, metadataFile(manifest)));
    expect(intMeta(meta, 'vocab_size')).toBe(manifest.vocabSize);
    expect(intMeta(meta, 'subsampling_factor')).toBe(8);
    expect(meta).toHaveProperty('normalize_type', '');
    const modelTypes = {
      ctc: 'EncDecCTCModelBPE',
      rnnt: 'EncDecRNNTBPEModel',
      hybrid: 'EncDecHybridRNNTCTCBPEModel',
    };
    expect(meta.model_type).toBe(modelTypes[manifest.head]);
    if (manifest.head !== 'ctc') {
      expect(intMeta(meta, 'pred_rnn_layers')).toBeGreaterThan(0);
      expect(intMeta(meta, 'pred_hidden')).toBeGreaterThan(0);
    }
    if (manifest.mode === 'streaming') {
      const r = manifest.defaultLookahead ?? -1;
      expect(manifest.lookaheads).toContain(r);
      expect(intMeta(meta, 'chunk_shift')).toBe(8 * (r + 1));
      expect(intMeta(meta, 'window_size')).toBe(8 * (r + 1) + 9);
      for (const key of cacheKeys) intMeta(meta, key);
      expect(meta.speechstream_lookaheads).toBe(manifest.lookaheads.join(','));
    } else {
      for (const key of ['window_size', 'chunk_shift', ...cacheKeys]) expect(meta).not.toHaveProperty(key);
    }
  });

  it('graphs have the contract inputs and outputs, in order, with static feature/hidden/vocab dims', async () => {
    const meta = readOnnxMetadata(path.join(dir, metadataFile(manifest)));
    const v1 = manifest.vocabSize + 1;
    const [layers, cache, dModel] = [1, 2, 3].map((i) => Number(meta[`cache_last_channel_dim${i}`]));
    const kernelContext = Number(meta.cache_last_time_dim3);
    const expectShape = (s: ort.InferenceSession, index: number, input: boolean, shape: unknown[]) => {
      const m = (input ? s.inputMetadata : s.outputMetadata)[index];
      if (!m?.isTensor) throw new Error(`${index} is not a tensor`);
      // Symbolic dims are strings; compare only the dims the contract fixes.
      const got = m.shape.map((d, i) => (typeof shape[i] === 'string' ? shape[i] : d));
      expect(got).toEqual(shape);
    };
    const streaming = manifest.mode === 'streaming';
    for (const file of Object.keys(manifest.files).filter((f) => f.endsWith('.onnx'))) {
      const s = await session(name, file);
      try {
        if (file === 'model.onnx' || file === 'encoder.onnx') {
          const head = file === 'model.onnx' ? 'logprobs' : 'outputs';
          if (streaming) {
            expect(s.inputNames).toEqual(streamingInputs);
            expect(s.outputNames).toEqual([head, 'encoded_lengths', ...stateOutputs]);
            expectShape(s, 2, true, ['B', layers, 'C', dModel]);
            expectShape(s, 3, true, ['B', layers, dModel, 'K']);
            expect(cache).toBe(70);
            expect(kernelContext).toBeGreaterThan(0);
            expect(s.inputMetadata.map((m) => m.isTensor && m.type)).toEqual([
              'float32',
              'int64',
              'float32',
              'float32',
              'int64',
            ]);
          } else {
            // Offline CTC has a single output; sherpa derives lengths itself (2.3).
            expect(s.inputNames).toEqual(['audio_signal', 'length']);
            expect(s.outputNames).toEqual(head === 'logprobs' ? [head] : [head, 'encoded_lengths']);
          }
          expectShape(s, 0, true, ['B', 80, 'T']);
          if (file === 'model.onnx') expectShape(s, 0, false, ['B', 'T', v1]);
          expect(s.inputNames).not.toContain('prompt_index');
        } else if (file === 'decoder.onnx') {
          const hidden = Number(meta.pred_hidden);
          const predLayers = Number(meta.pred_rnn_layers);
          expect(s.inputNames).toEqual(['targets', 'target_length', 'h', 'c']);
          expect(s.outputNames).toEqual(['outputs', 'prednet_lengths', 'h_next', 'c_next']);
          expect(s.inputMetadata.map((m) => m.isTensor && m.type)).toEqual([
            'int32',
            'int32',
            'float32',
            'float32',
          ]);
          expectShape(s, 2, true, [predLayers, 'B', hidden]);
          expectShape(s, 3, true, [predLayers, 'B', hidden]);
          expectShape(s, 0, false, ['B', hidden, 'U']);
        } else if (file === 'joiner.onnx') {
          expect(s.inputNames).toEqual(['encoder_outputs', 'decoder_outputs']);
          expect(s.outputNames).toEqual(['outputs']);
          expectShape(s, 0, false, ['B', 'T', 'U', v1]);
        } else if (file === 'ctc-head.onnx') {
          expect(s.inputNames).toEqual(['encoder_outputs']);
          expect(s.outputNames).toEqual(['logprobs']);
          expectShape(s, 0, true, ['B', dModel, 'T']);
          expectShape(s, 0, false, ['B', 'T', v1]);
        } else {
          throw new Error(`unexpected graph ${file}`);
        }
      } finally {
        await s.release();
      }
    }
  });
});
