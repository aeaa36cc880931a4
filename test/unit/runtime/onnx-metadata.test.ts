import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { InferenceSession } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSpeechError } from '../../../common/errors.js';
import {
  parseOnnxModelInfo,
  readOnnxMetadata,
  readOnnxModelInfo,
} from '../../../models/runtime/onnx-metadata.js';
import { bufferSource, FileByteSource } from '../../../models/runtime/protobuf-walker.js';
import { encodeModel } from './helpers/onnx-bytes.js';

const FIXTURES = 'test/fixtures/onnx';
const fixture = (name: string) => join(FIXTURES, name);

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'onnx-meta-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('readOnnxModelInfo on files written by the onnx package', () => {
  it('reads header, opsets, metadata_props and graph I/O', async () => {
    const info = await readOnnxModelInfo(fixture('mixed-io.onnx'));
    expect(info.irVersion).toBe(8);
    expect(info.producerName).toBe('speechstream-fixtures');
    expect(info.opsets).toEqual([{ domain: '', version: 17 }]);
    expect(info.metadata.get('model_name')).toBe('mixed-io');
    expect(info.metadata.get('unicode')).toBe('\u2581hello \u4e16\u754c');
    expect(info.metadata.get('empty')).toBe('');
    // the key written twice: the last value wins, as in onnxruntime's map
    expect(info.metadata.get('dup')).toBe('second');
    expect(info.inputs).toEqual([
      { name: 'features', dtype: 'float32', dims: ['B', 4, 'T'] },
      { name: 'lengths', dtype: 'int64', dims: ['B'] },
      { name: 'tokens', dtype: 'int32', dims: ['B', 2] },
    ]);
    expect(info.outputs.map((o) => o.name)).toEqual(['scaled', 'lengths_plus_one', 'token_sum']);
  });

  it.each(['mixed-io.onnx', 'positional.onnx', 'broadcast-add.onnx', 'legacy-initializer-inputs.onnx'])(
    'agrees with onnxruntime on the inputs and outputs of %s',
    async (name) => {
      const info = await readOnnxModelInfo(fixture(name));
      const session = await InferenceSession.create(fixture(name), { logSeverityLevel: 3 });
      try {
        const fromOrt = (list: readonly InferenceSession.ValueMetadata[]) =>
          list.map((m) => (m.isTensor ? { name: m.name, dtype: m.type, dims: m.shape } : m));
        expect(info.inputs).toEqual(fromOrt(session.inputMetadata));
        expect(info.outputs).toEqual(fromOrt(session.outputMetadata));
      } finally {
        await session.release();
      }
    },
  );

  it('drops graph inputs that are initializers (keep_initializers_as_inputs exports)', async () => {
    const info = await readOnnxModelInfo(fixture('legacy-initializer-inputs.onnx'));
    expect(info.inputs.map((i) => i.name)).toEqual(['x']);
  });

  it('reaches metadata stored after a large graph while reading a small part of the file', async () => {
    const source = await FileByteSource.open(fixture('large-graph.onnx'));
    try {
      const info = await parseOnnxModelInfo(source, 'large-graph.onnx');
      expect(info.metadata.get('comment')).toBe('metadata after a large graph');
      expect(info.metadata.int('vocab_size')).toBe(1024);
      expect(source.size).toBeGreaterThan(250_000);
      expect(source.bytesRead).toBeLessThan(source.size / 8);
    } finally {
      await source.close();
    }
  });

  it('readOnnxMetadata returns the metadata alone', async () => {
    const meta = await readOnnxMetadata(fixture('mixed-io.onnx'));
    expect(meta.int('vocab_size')).toBe(7);
    expect(meta.file).toBe(fixture('mixed-io.onnx'));
  });
});

describe('readOnnxModelInfo errors', () => {
  it('MODEL_NOT_FOUND for a missing file', async () => {
    await expect(readOnnxModelInfo(join(tmp, 'nope.onnx'))).rejects.toMatchObject({
      code: 'MODEL_NOT_FOUND',
    });
  });

  it('MODEL_BAD_ONNX for a directory', async () => {
    await expect(readOnnxModelInfo(tmp)).rejects.toMatchObject({ code: 'MODEL_BAD_ONNX' });
  });

  it('MODEL_BAD_ONNX naming the file for text that is not protobuf', async () => {
    const path = join(tmp, 'text.onnx');
    await writeFile(path, 'this is not an onnx model\n');
    await expect(readOnnxModelInfo(path)).rejects.toMatchObject({
      code: 'MODEL_BAD_ONNX',
      message: expect.stringContaining(path),
    });
  });

  it('MODEL_BAD_ONNX for a valid protobuf without a graph or ir_version', async () => {
    await expect(parseOnnxModelInfo(bufferSource(Uint8Array.from([0x08, 0x07])), 'x')).rejects.toMatchObject({
      code: 'MODEL_BAD_ONNX',
      message: expect.stringContaining('no graph'),
    });
    await expect(parseOnnxModelInfo(bufferSource(Uint8Array.from([0x3a, 0x00])), 'x')).rejects.toThrow(
      /no ir_version/,
    );
  });

  it('MODEL_BAD_ONNX for every truncation of a real file', async () => {
    const bytes = readFileSync(fixture('mixed-io.onnx'));
    const full = (await parseOnnxModelInfo(bufferSource(bytes), 'full')).metadata.toObject();
    expect(Object.keys(full).length).toBeGreaterThan(0);
    for (let end = 0; end < bytes.length; end++) {
      const cut = bytes.subarray(0, end);
      const outcome = await parseOnnxModelInfo(bufferSource(cut), 'cut', 16).then(
        (info) => info,
        (err: unknown) => err,
      );
      // A cut exactly between two top-level fields is still a well-formed model, one that
      // lost its trailing metadata (metadata_props is written last).
      if (isSpeechError(outcome)) expect(outcome.code).toBe('MODEL_BAD_ONNX');
      else expect((outcome as { metadata: { toObject(): object } }).metadata.toObject()).not.toEqual(full);
    }
  });

  it('never crashes or hangs on random bytes: a result or MODEL_BAD_ONNX', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), async (bytes) => {
        const outcome = await parseOnnxModelInfo(bufferSource(bytes), 'fuzz', 32).then(
          () => 'ok',
          (err: unknown) => (isSpeechError(err, 'MODEL_BAD_ONNX') ? 'bad' : err),
        );
        expect(['ok', 'bad']).toContain(outcome);
      }),
      { numRuns: 1000 },
    );
  });

  it('never crashes on a real file with random bytes overwritten', async () => {
    const bytes = readFileSync(fixture('mixed-io.onnx'));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 8,
        }),
        async (edits) => {
          const copy = Uint8Array.from(bytes);
          for (const [at, b] of edits) copy[at] = b;
          const outcome = await parseOnnxModelInfo(bufferSource(copy), 'mutated').then(
            () => 'ok',
            (err: unknown) => (isSpeechError(err, 'MODEL_BAD_ONNX') ? 'bad' : err),
          );
          expect(['ok', 'bad']).toContain(outcome);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('graph I/O from the test encoder', () => {
  it('reads unnamed dynamic dims as empty strings and keeps input order', async () => {
    const bytes = encodeModel({
      inputs: [
        { name: 'b', dtype: 'int64', dims: ['', 3] },
        { name: 'a', dtype: 'int32', dims: [] },
      ],
      outputs: [{ name: 'y', dims: ['N'] }],
      metadata: { k: 'v' },
      weightBytes: 50_000,
    });
    const info = await parseOnnxModelInfo(bufferSource(bytes), 'enc', 64);
    expect(info.inputs).toEqual([
      { name: 'b', dtype: 'int64', dims: ['', 3] },
      { name: 'a', dtype: 'int32', dims: [] },
    ]);
    expect(info.outputs).toEqual([{ name: 'y', dtype: 'float32', dims: ['N'] }]);
    expect(info.metadata.get('k')).toBe('v');
  });
});

describe('externalData', () => {
  it('is false for weights inside the file and true for weights in a side file', async () => {
    const info = (bytes: Uint8Array) => parseOnnxModelInfo(bufferSource(bytes), 'test');
    expect(
      (await readOnnxModelInfo('test/fixtures/zoo/nemo-streaming-hybrid/encoder.onnx')).externalData,
    ).toBe(false);
    expect((await info(encodeModel({ weightBytes: 16 }))).externalData).toBe(false);
    expect((await info(encodeModel({ weightBytes: 16, externalWeights: true }))).externalData).toBe(true);
  });
});
