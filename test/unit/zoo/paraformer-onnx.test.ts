// The zoo Paraformer fixtures' ONNX graphs against the PyTorch modules that exported them:
// reference inputs and outputs written by models/py/zoo/fixtures_paraformer.py.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const FIXTURES = join(import.meta.dirname, '../../fixtures/zoo');

type DType = 'float32' | 'int32' | 'int64';
interface TensorSpec {
  name: string;
  dtype: DType;
  dims: number[];
  file?: string;
  values?: number[];
}
interface ReferenceCase {
  name: string;
  model: string;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}
interface Reference {
  tolerance: number;
  cases: ReferenceCase[];
}

function loadReference(fixture: string): Reference {
  return JSON.parse(readFileSync(join(FIXTURES, fixture, 'reference.json'), 'utf8')) as Reference;
}

function tensorData(fixture: string, spec: TensorSpec): Float32Array | Int32Array | BigInt64Array {
  if (spec.file) {
    const buf = readFileSync(join(FIXTURES, fixture, spec.file));
    return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  }
  const values = spec.values ?? [];
  if (spec.dtype === 'int64') return BigInt64Array.from(values, (v) => BigInt(v));
  if (spec.dtype === 'int32') return Int32Array.from(values);
  return Float32Array.from(values);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return worst;
}

const sessions = new Map<string, InferenceSession>();
async function session(fixture: string, model: string): Promise<InferenceSession> {
  const key = `${fixture}/${model}`;
  let s = sessions.get(key);
  if (!s) {
    s = await InferenceSession.create(join(FIXTURES, key), { intraOpNumThreads: 1 });
    sessions.set(key, s);
  }
  return s;
}
afterAll(async () => {
  for (const s of sessions.values()) await s.release();
});

describe.each(['paraformer-offline', 'paraformer-streaming'])(
  '%s graphs replay the PyTorch reference',
  (fixture) => {
    const reference = loadReference(fixture);

    it.each(reference.cases.map((c) => [c.name, c] as const))('case %s', async (_name, c) => {
      const s = await session(fixture, c.model);
      // Feeds in graph order: sherpa binds by position, so the order is the contract.
      expect(s.inputNames).toEqual(c.inputs.map((i) => i.name));
      expect(s.outputNames).toEqual(c.outputs.map((o) => o.name));
      const feeds: Record<string, Tensor> = {};
      for (const spec of c.inputs)
        feeds[spec.name] = new Tensor(spec.dtype, tensorData(fixture, spec), spec.dims);
      const out = await s.run(feeds);
      for (const spec of c.outputs) {
        const got = out[spec.name];
        expect(got?.type, spec.name).toBe(spec.dtype);
        expect(got?.dims, spec.name).toEqual(spec.dims);
        const want = tensorData(fixture, spec);
        if (spec.dtype === 'float32') {
          expect(maxAbsDiff(got?.data as Float32Array, want as Float32Array)).toBeLessThanOrEqual(
            reference.tolerance,
          );
        } else {
          // Integers compare as strings so int32 and int64 (BigInt) share one path.
          const asStrings = (xs: Iterable<number | bigint>) => Array.from(xs, String);
          expect(asStrings(got?.data as Int32Array | BigInt64Array), spec.name).toEqual(
            asStrings(want as Int32Array | BigInt64Array),
          );
        }
      }
    });
  },
);

describe('paraformer-offline graph behaviour', () => {
  const fixture = 'paraformer-offline';
  const reference = loadReference(fixture);
  let model: InferenceSession;

  const caseNamed = (name: string): ReferenceCase => {
    const c = reference.cases.find((x) => x.name === name);
    if (!c) throw new Error(`reference.json has no case ${name}`);
    return c;
  };
  const spec = (c: ReferenceCase, name: string): TensorSpec => {
    const t = [...c.inputs, ...c.outputs].find((x) => x.name === name);
    if (!t) throw new Error(`${c.name} has no tensor ${name}`);
    return t;
  };

  async function run(speech: Float32Array, dims: readonly number[], lengths: readonly number[]) {
    const out = await model.run({
      speech: new Tensor('float32', speech, dims),
      speech_lengths: new Tensor('int32', Int32Array.from(lengths), [lengths.length]),
    });
    const logits = out.logits;
    const tokenNum = out.token_num;
    if (!logits || !tokenNum) throw new Error('missing output');
    return {
      logits: logits.data as Float32Array,
      dims: logits.dims,
      tokenNum: Array.from(tokenNum.data as Int32Array),
    };
  }

  /** Row k of utterance b from a [B, N, V] tensor. */
  const row = (data: Float32Array, dims: readonly number[], b: number, k: number): Float32Array => {
    const [, n = 0, v = 0] = dims;
    return data.subarray((b * n + k) * v, (b * n + k + 1) * v);
  };

  beforeAll(async () => {
    model = await session(fixture, 'model.onnx');
  });

  it('gives each utterance the same result alone as inside a batch with a longer one', async () => {
    const c = caseNamed('random-batch');
    const speechSpec = spec(c, 'speech');
    const lengths = spec(c, 'speech_lengths').values ?? [];
    const speech = tensorData(fixture, speechSpec) as Float32Array;
    const [, frames = 0, dim = 0] = speechSpec.dims;
    const batch = await run(speech, speechSpec.dims, lengths);
    expect(lengths[0]).not.toBe(lengths[1]);
    for (const [b, len] of lengths.entries()) {
      const start = b * frames * dim;
      const alone = await run(speech.slice(start, start + len * dim), [1, len, dim], [len]);
      expect(alone.tokenNum[0]).toBe(batch.tokenNum[b]);
      expect(alone.tokenNum[0]).toBeGreaterThan(0);
      for (let k = 0; k < (alone.tokenNum[0] ?? 0); k++) {
        const diff = maxAbsDiff(row(alone.logits, alone.dims, 0, k), row(batch.logits, batch.dims, b, k));
        expect(diff).toBeLessThanOrEqual(reference.tolerance);
      }
    }
  });

  it('outputs log-softmax scores: each row exponentiates to a distribution', async () => {
    const c = caseNamed('random-batch');
    const speechSpec = spec(c, 'speech');
    const got = await run(
      tensorData(fixture, speechSpec) as Float32Array,
      speechSpec.dims,
      spec(c, 'speech_lengths').values ?? [],
    );
    const n = got.tokenNum[1] ?? 0;
    expect(n).toBeGreaterThan(0);
    for (let k = 0; k < n; k++) {
      const sum = row(got.logits, got.dims, 1, k).reduce((acc, x) => acc + Math.exp(x), 0);
      expect(sum).toBeCloseTo(1, 4);
    }
  });

  it('returns logits [1, 0, V] and token_num 0 when CIF fires no token, without an error', async () => {
    const c = caseNamed('zero-tokens');
    expect(spec(c, 'token_num').values).toEqual([0]);
    const speechSpec = spec(c, 'speech');
    const got = await run(tensorData(fixture, speechSpec) as Float32Array, speechSpec.dims, [1]);
    expect(got.tokenNum).toEqual([0]);
    expect(got.dims).toEqual(spec(c, 'logits').dims);
    expect(got.logits.length).toBe(0);
  });
});

describe('paraformer-streaming decoder I/O', () => {
  it('has one FSMN cache input and output per decoder block, shaped [B, D, kernel - 1]', async () => {
    const manifest = JSON.parse(
      readFileSync(join(FIXTURES, 'paraformer-streaming/manifest.json'), 'utf8'),
    ) as {
      metadata: Record<string, string>;
    };
    const blocks = Number(manifest.metadata.decoder_num_blocks);
    const kernel = Number(manifest.metadata.decoder_kernel_size);
    const d = Number(manifest.metadata.encoder_output_size);
    expect(blocks).toBeGreaterThan(0);
    const s = await session('paraformer-streaming', 'decoder.onnx');
    const caches = Array.from({ length: blocks }, (_, i) => `in_cache_${i}`);
    expect(s.inputNames).toEqual(['enc', 'enc_len', 'acoustic_embeds', 'acoustic_embeds_len', ...caches]);
    expect(s.outputNames).toEqual(['logits', 'sample_ids', ...caches.map((n) => n.replace('in_', 'out_'))]);
    const reference = loadReference('paraformer-streaming');
    const decoderCases = reference.cases.filter((c) => c.model === 'decoder.onnx');
    expect(decoderCases.length).toBeGreaterThan(0);
    for (const c of decoderCases) {
      for (const t of [...c.inputs, ...c.outputs].filter((x) => x.name.includes('cache'))) {
        expect(t.dims.slice(1)).toEqual([d, kernel - 1]);
      }
    }
  });
});
