import { cp, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { familyIds } from '../../../models/runtime/families.js';
import { loadManifest, manifestSummary } from '../../../models/runtime/manifest.js';
import { encodeModel } from './helpers/onnx-bytes.js';

const FAMILIES = 'test/fixtures/onnx/families';

let tmp: string;
let n = 0;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'manifest-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** A scratch copy of a fixture family directory (or an empty one). */
async function scratch(from?: string): Promise<string> {
  const dir = join(tmp, `d${n++}`);
  if (from === undefined) await mkdir(dir);
  else await cp(join(FAMILIES, from), dir, { recursive: true });
  return dir;
}

const NEMO_META: Record<string, string> = {
  vocab_size: '4',
  window_size: '17',
  chunk_shift: '8',
  subsampling_factor: '8',
  cache_last_channel_dim1: '2',
  cache_last_channel_dim2: '6',
  cache_last_channel_dim3: '16',
  cache_last_time_dim1: '2',
  cache_last_time_dim2: '16',
  cache_last_time_dim3: '4',
};
const five = ['a', 'b', 'c', 'd', 'e'].map((name) => ({ name }));

describe('loadManifest detects every family from a sherpa-style directory', () => {
  it.each(familyIds)('%s', async (family) => {
    const m = await loadManifest(join(FAMILIES, family));
    expect(m.family).toBe(family);
    expect(m.source).toBe('detected');
    expect(m.id).toBe(family);
    expect(m.task).toBe('asr');
    expect(m.featurePreset).toBe(m.spec.featurePreset);
    for (const f of m.spec.files.filter((f) => f.required)) expect(m.files[f.role]).toBeDefined();
    expect(m.onnx[m.spec.metadataFrom]?.metadata).toBe(m.metadata);
    expect(m.metadata.int('vocab_size')).toBeGreaterThan(0);
    expect(m.int8).toEqual([]);
  });

  it('reads the lookaheads of NeMo streaming exports', async () => {
    expect((await loadManifest(join(FAMILIES, 'nemo-ctc-streaming'))).lookaheads).toEqual([0, 1, 2]);
    expect((await loadManifest(join(FAMILIES, 'paraformer-offline'))).lookaheads).toBeUndefined();
  });

  it('prefers fp32 files, takes int8 when asked or when it is all there is', async () => {
    const dir = await scratch('nemo-ctc-streaming');
    await cp(join(dir, 'model.onnx'), join(dir, 'model.int8.onnx'));
    expect((await loadManifest(dir)).files.model).toBe(join(dir, 'model.onnx'));
    const int8 = await loadManifest(dir, { precision: 'int8' });
    expect(int8.files.model).toBe(join(dir, 'model.int8.onnx'));
    expect(int8.int8).toEqual(['model']);
    await rm(join(dir, 'model.onnx'));
    const only = await loadManifest(dir);
    expect(only.family).toBe('nemo-ctc-streaming');
    expect(only.int8).toEqual(['model']);
  });

  it('gives a JSON summary with relative file names', async () => {
    const s = manifestSummary(await loadManifest(join(FAMILIES, 'nemo-hybrid-streaming')));
    expect(s).toMatchObject({
      family: 'nemo-hybrid-streaming',
      mode: 'streaming',
      files: { encoder: 'encoder.onnx', ctcHead: 'ctc-head.onnx', tokens: 'tokens.txt' },
      vocabulary: 5,
    });
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });
});

describe('speechstream.json', () => {
  it('names the family, files and preset', async () => {
    const m = await loadManifest(join(FAMILIES, 'with-manifest'));
    expect(m).toMatchObject({
      id: 'tiny-ctc-80ms',
      family: 'nemo-ctc-streaming',
      source: 'manifest',
      featurePreset: 'sherpa-online-nemo-transducer',
      licence: 'Apache-2.0',
    });
    expect(m.files.model?.endsWith('am-80ms.onnx')).toBe(true);
    expect(m.tokens.size).toBe(5);
  });

  async function withManifest(json: unknown, from = 'with-manifest'): Promise<string> {
    const dir = await scratch(from);
    await writeFile(join(dir, 'speechstream.json'), typeof json === 'string' ? json : JSON.stringify(json));
    return dir;
  }
  const base = {
    id: 'x',
    family: 'nemo-ctc-streaming',
    task: 'asr',
    files: { model: 'am-80ms.onnx', tokens: 'vocab.txt' },
  };

  it.each([
    ['broken JSON', '{"id": ', /not valid JSON/],
    ['an unknown family', { ...base, family: 'whisper' }, /family/],
    ['an unknown key', { ...base, license: 'MIT' }, /license/],
    ['a bad id', { ...base, id: '../x' }, /id/],
    [
      'a file outside the directory',
      { ...base, files: { model: '../model.onnx', tokens: 'vocab.txt' } },
      /inside the model directory/,
    ],
    ['an unknown feature preset', { ...base, featurePreset: 'mfcc' }, /featurePreset/],
  ])('MODEL_MANIFEST_INVALID for %s', async (_what, json, why) => {
    const dir = await withManifest(json);
    await expect(loadManifest(dir)).rejects.toMatchObject({ code: 'MODEL_MANIFEST_INVALID' });
    await expect(loadManifest(dir)).rejects.toThrow(why);
  });

  it('MODEL_MANIFEST_INVALID when the task does not match the family', async () => {
    const dir = await withManifest({ ...base, task: 'tts' });
    await expect(loadManifest(dir)).rejects.toThrow(/task 'tts' does not match family nemo-ctc-streaming/);
  });

  it('MODEL_MANIFEST_INVALID for an override that does not exist or a role the family lacks', async () => {
    const missing = await withManifest({ ...base, files: { model: 'nope.onnx', tokens: 'vocab.txt' } });
    await expect(loadManifest(missing)).rejects.toThrow(/needs nope\.onnx/);
    const extra = await withManifest({ ...base, files: { ...base.files, joiner: 'am-80ms.onnx' } });
    await expect(loadManifest(extra)).rejects.toThrow(/has no file role joiner/);
  });

  it('accepts an override in a subfolder', async () => {
    const dir = await withManifest({ ...base, files: { model: 'onnx/am.onnx', tokens: 'vocab.txt' } });
    await mkdir(join(dir, 'onnx'));
    await rename(join(dir, 'am-80ms.onnx'), join(dir, 'onnx', 'am.onnx'));
    expect((await loadManifest(dir)).files.model).toBe(join(dir, 'onnx', 'am.onnx'));
  });
});

describe('loadManifest errors', () => {
  it('MODEL_NOT_FOUND for a missing directory or a file', async () => {
    await expect(loadManifest(join(tmp, 'none'))).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    await expect(loadManifest(join(FAMILIES, 'nemo-ctc-streaming', 'tokens.txt'))).rejects.toMatchObject({
      code: 'MODEL_NOT_FOUND',
    });
  });

  it('MODEL_MANIFEST_INVALID listing what was found for an unrecognised directory', async () => {
    const dir = await scratch();
    await writeFile(join(dir, 'README.md'), 'hi');
    await expect(loadManifest(dir)).rejects.toMatchObject({ code: 'MODEL_MANIFEST_INVALID' });
    await expect(loadManifest(dir)).rejects.toThrow(/found README\.md; expected model\.onnx/);
  });

  it('MODEL_MANIFEST_INVALID when the metadata names no family', async () => {
    const dir = await scratch();
    await writeFile(
      join(dir, 'model.onnx'),
      encodeModel({ inputs: five, outputs: five, metadata: { foo: '1' } }),
    );
    await expect(loadManifest(dir)).rejects.toThrow(/none of window_size/);
    const enc = await scratch();
    await writeFile(join(enc, 'encoder.onnx'), encodeModel({ metadata: {} }));
    await writeFile(join(enc, 'decoder.onnx'), encodeModel({}));
    await expect(loadManifest(enc)).rejects.toThrow(/neither encoder_output_size/);
  });

  it('MODEL_MANIFEST_INVALID for a one-output decoder (icefall transducer, not NeMo)', async () => {
    const dir = await scratch('nemo-transducer-streaming');
    await writeFile(
      join(dir, 'decoder.onnx'),
      encodeModel({ inputs: five.slice(0, 2), outputs: five.slice(0, 1) }),
    );
    await expect(loadManifest(dir)).rejects.toMatchObject({ code: 'MODEL_MANIFEST_INVALID' });
    await expect(loadManifest(dir)).rejects.toThrow(/icefall/);
  });

  it('MODEL_MANIFEST_INVALID naming a missing required file', async () => {
    const dir = await scratch('nemo-transducer-streaming');
    await rm(join(dir, 'tokens.txt'));
    await expect(loadManifest(dir)).rejects.toThrow(/needs tokens\.txt/);
    const hybrid = await scratch('paraformer-streaming');
    await writeFile(
      join(hybrid, 'speechstream.json'),
      JSON.stringify({ id: 'h', family: 'nemo-hybrid-streaming', task: 'asr' }),
    );
    await expect(loadManifest(hybrid)).rejects.toThrow(
      /joiner\.onnx \(or joiner\.int8\.onnx\), ctc-head\.onnx/,
    );
  });

  it('MODEL_BAD_ONNX when a graph file is not ONNX', async () => {
    const dir = await scratch('paraformer-offline');
    await writeFile(join(dir, 'model.onnx'), 'garbage');
    await expect(loadManifest(dir)).rejects.toMatchObject({ code: 'MODEL_BAD_ONNX' });
  });

  it('MODEL_METADATA_MISSING names the file and key', async () => {
    const dir = await scratch('nemo-ctc-streaming');
    const { chunk_shift: _, ...meta } = NEMO_META;
    await writeFile(join(dir, 'model.onnx'), encodeModel({ inputs: five, outputs: five, metadata: meta }));
    await expect(loadManifest(dir)).rejects.toMatchObject({
      code: 'MODEL_METADATA_MISSING',
      details: { file: join(dir, 'model.onnx'), key: 'chunk_shift' },
    });
  });

  it.each([
    ['a non-integer', { window_size: 'seventeen' }],
    ['a negative integer', { subsampling_factor: '-8' }],
    ['bad lookaheads', { speechstream_lookaheads: '0,x' }],
  ])('MODEL_METADATA_INVALID for %s', async (_what, override) => {
    const dir = await scratch('nemo-ctc-streaming');
    await writeFile(
      join(dir, 'model.onnx'),
      encodeModel({ inputs: five, outputs: five, metadata: { ...NEMO_META, ...override } }),
    );
    await expect(loadManifest(dir)).rejects.toMatchObject({ code: 'MODEL_METADATA_INVALID' });
  });

  it('MODEL_METADATA_INVALID when inv_stddev and neg_mean differ in length', async () => {
    const dir = await scratch('paraformer-offline');
    const meta = {
      vocab_size: '8',
      lfr_window_size: '7',
      lfr_window_shift: '6',
      neg_mean: '1,2,3',
      inv_stddev: '1,2',
    };
    const io = [{ name: 'a' }, { name: 'b' }];
    await writeFile(join(dir, 'model.onnx'), encodeModel({ inputs: io, outputs: io, metadata: meta }));
    await expect(loadManifest(dir)).rejects.toThrow(/'inv_stddev' = '1,2' has 2 values, expected 3/);
  });

  it('MODEL_CONTRACT_MISMATCH when a graph has the wrong number of inputs or outputs', async () => {
    const dir = await scratch('nemo-ctc-streaming');
    await writeFile(
      join(dir, 'model.onnx'),
      encodeModel({ inputs: five.slice(0, 2), outputs: five, metadata: NEMO_META }),
    );
    await expect(loadManifest(dir)).rejects.toMatchObject({
      code: 'MODEL_CONTRACT_MISMATCH',
      details: { role: 'model', side: 'inputs', expected: '5', actual: 2 },
    });
  });

  it('MODEL_CONTRACT_MISMATCH counts the streaming Paraformer decoder caches from decoder_num_blocks', async () => {
    const dir = await scratch('paraformer-streaming');
    const encoder = await readFile(join(dir, 'encoder.onnx'));
    // the fixture decoder has 2 caches; claim 3 blocks in the encoder metadata
    const text = encoder
      .toString('latin1')
      .replace('decoder_num_blocks\x12\x012', 'decoder_num_blocks\x12\x013');
    expect(text).not.toBe(encoder.toString('latin1'));
    await writeFile(join(dir, 'encoder.onnx'), Buffer.from(text, 'latin1'));
    await expect(loadManifest(dir)).rejects.toMatchObject({
      code: 'MODEL_CONTRACT_MISMATCH',
      details: { role: 'decoder', side: 'inputs', expected: '7', actual: 6 },
    });
  });

  it.each([
    [
      'nemo-ctc-streaming',
      '<unk> 0\n<blk> 1\na 2\nb 3\nc 4\n',
      /'<blk>' is id 1 but must be the last id \(4\)/,
    ],
    ['nemo-ctc-streaming', '<unk> 0\na 1\nb 2\nc 3\n', /has no '<blk>'/],
    [
      'nemo-transducer-streaming',
      '<unk> 0\na 1\n<blk> 2\n',
      /has 3 tokens but metadata vocab_size 4 means 5/,
    ],
    ['paraformer-offline', '<blank> 0\n<s> 1\neos 2\na 3\nb 4\nc 5\nd 6\ne 7\n', /has no '<\/s>'/],
    ['paraformer-streaming', '<blank> 0\n<s> 1\n</s> 2\n', /has 3 tokens but metadata vocab_size 8 means 8/],
  ])('MODEL_TOKENS_INVALID: %s with %j', async (family, tokens, why) => {
    const dir = await scratch(family);
    await writeFile(join(dir, 'tokens.txt'), tokens);
    await expect(loadManifest(dir)).rejects.toMatchObject({ code: 'MODEL_TOKENS_INVALID' });
    await expect(loadManifest(dir)).rejects.toThrow(why);
  });

  it('MODEL_TOKENS_INVALID from the tokens parser carries the line number', async () => {
    const dir = await scratch('nemo-ctc-offline');
    await writeFile(join(dir, 'tokens.txt'), '<unk> 0\na 0\n');
    await expect(loadManifest(dir)).rejects.toThrow(/tokens\.txt:2: id 0 is used twice/);
  });
});
