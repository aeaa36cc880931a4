// The exported ONNX graphs reproduce the PyTorch reference outputs stored with each
// NeMo fixture. Streaming encoders are driven chunk by chunk exactly as sherpa-onnx
// drives them, for every lookahead the weights support, and must equal the PyTorch
// full-sequence forward with the matching chunked mask (models/py/zoo/check_streaming.py).
import path from 'node:path';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  checkNemoFixture,
  compareWithReference,
  loadReference,
  readOnnxMetadata,
  streamLikeSherpa,
} from '../../../models/py/zoo/check_streaming_nemo.mjs';
import { fixtureDir, nemoFixtures, readManifest } from './nemo-fixtures.js';

describe.each(nemoFixtures)('%s', (name) => {
  it('every reference output is reproduced within tolerance', async () => {
    const results = await checkNemoFixture(fixtureDir(name));
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) expect(r, r.label).toMatchObject({ ok: true });
  });

  it('has a streaming reference for every supported lookahead', () => {
    const manifest = readManifest(name);
    const streamed = manifest.reference.entries.filter((e) => e.kind === 'streaming').map((e) => e.lookahead);
    for (const r of manifest.lookaheads) expect(streamed).toContain(r);
    expect(streamed.length > 0).toBe(manifest.mode === 'streaming');
  });
});

describe('the streaming comparison is sensitive', () => {
  it('fails when the caches are not fed back between calls', async () => {
    const dir = fixtureDir('nemo-streaming-transducer');
    const { manifest, reference, features } = loadReference(dir);
    const entry = manifest.reference.entries.find((e: { kind: string }) => e.kind === 'streaming');
    const session = await ort.InferenceSession.create(path.join(dir, entry.file), { intraOpNumThreads: 1 });
    try {
      const meta = readOnnxMetadata(path.join(dir, entry.file));
      const featDim = manifest.reference.features.featureDim;
      const run = async (feedBackState: boolean) => {
        const out = await streamLikeSherpa(session, meta, features, featDim, entry, { feedBackState });
        return compareWithReference('run', out.data, out.dims, entry.outputs[0], reference);
      };
      const good = await run(true);
      const broken = await run(false);
      expect(good.ok).toBe(true);
      expect(broken.ok).toBe(false);
      expect(broken.maxScaledDiff).toBeGreaterThan(100 * entry.outputs[0].tolerance);
    } finally {
      await session.release();
    }
  });
});
