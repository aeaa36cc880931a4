// Fuzzing what a model directory contributes: tokens.txt (random bytes, near-valid
// tables), metadata_props values read through every typed accessor, metadata carried in a
// real ONNX file, and speechstream.json manifests. Every outcome is a usable value that
// satisfies its invariants or a coded MODEL_* error; nothing else escapes. (Random bytes
// as a whole ONNX file are fuzzed by test/unit/runtime/onnx-metadata.test.ts.)
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifest } from '../../models/runtime/manifest.js';
import { OnnxMetadata } from '../../models/runtime/metadata-map.js';
import { parseOnnxModelInfo } from '../../models/runtime/onnx-metadata.js';
import { bufferSource } from '../../models/runtime/protobuf-walker.js';
import { parseTokens, readTokens } from '../../models/runtime/tokens.js';
import { encodeModel } from '../unit/runtime/helpers/onnx-bytes.js';
import { codeOf } from './fuzz-helpers.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'speechstream-fuzz-model-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** The invariants of a table parseTokens accepted. */
function expectValidTable(table: ReturnType<typeof parseTokens>): void {
  expect(table.size).toBe(table.symbols.length);
  expect(table.size).toBeGreaterThan(0);
  for (let id = 0; id < table.size; id++) {
    const symbol = table.symbol(id);
    expect(typeof symbol).toBe('string');
    // A symbol listed twice keeps its first id.
    expect(table.idOf(symbol)!).toBeLessThanOrEqual(id);
  }
  expect(codeOf(() => table.symbol(table.size))).toBe('MODEL_CONTRACT_MISMATCH');
}

/** Lines of a tokens.txt, valid or broken in the ways real files are. */
const tokensTextArb = fc
  .record({
    symbols: fc.array(
      fc.oneof(fc.string({ minLength: 1, maxLength: 4 }), fc.constantFrom('<blk>', '▁a', ' ', '\u3000')),
      {
        minLength: 1,
        maxLength: 12,
      },
    ),
    shuffle: fc.boolean(),
    edits: fc.array(
      fc.tuple(
        fc.nat(),
        fc.constantFrom('dupId', 'dropLine', 'badId', 'extraField', 'blank', 'negative', 'huge', 'tab'),
      ),
      { maxLength: 2 },
    ),
    crlf: fc.boolean(),
    bom: fc.boolean(),
    trailing: fc.constantFrom('', '\n', '\n\n', '  \n'),
  })
  .map(({ symbols, shuffle, edits, crlf, bom, trailing }) => {
    let lines = symbols.map((s, id) => `${s} ${id}`);
    if (shuffle) lines = [...lines].reverse();
    for (const [at, kind] of edits) {
      const i = at % lines.length;
      if (kind === 'dupId') lines[i] = `${symbols[i]} ${(i + 1) % symbols.length}`;
      else if (kind === 'dropLine') lines.splice(i, 1);
      else if (kind === 'badId') lines[i] = `${symbols[i]} x${i}`;
      else if (kind === 'extraField') lines[i] = `${symbols[i]} extra ${i}`;
      else if (kind === 'blank') lines.splice(i, 0, '');
      else if (kind === 'negative') lines[i] = `${symbols[i]} -${i + 1}`;
      else if (kind === 'huge') lines[i] = `${symbols[i]} 99999999999999999999`;
      else lines[i] = `${symbols[i]}\t${i}`;
    }
    return (bom ? '\uFEFF' : '') + lines.join(crlf ? '\r\n' : '\n') + trailing;
  });

describe('tokens.txt fuzz', () => {
  it('random text: a table with ids 0..N-1, or MODEL_TOKENS_INVALID', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 })),
        (text) => {
          let table: ReturnType<typeof parseTokens>;
          try {
            table = parseTokens(text, 'fuzz.txt');
          } catch (err) {
            expect(codeOf(err)).toBe('MODEL_TOKENS_INVALID');
            return;
          }
          expectValidTable(table);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('near-valid tables (duplicate, missing, bad ids, extra fields, blank lines, CRLF, BOM)', () => {
    let accepted = 0;
    fc.assert(
      fc.property(tokensTextArb, (text) => {
        let table: ReturnType<typeof parseTokens>;
        try {
          table = parseTokens(text, 'fuzz.txt');
        } catch (err) {
          expect(codeOf(err)).toBe('MODEL_TOKENS_INVALID');
          return;
        }
        accepted++;
        expectValidTable(table);
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(300);
  });

  it('random bytes on disk (invalid UTF-8 included): a table or MODEL_TOKENS_INVALID', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (bytes) => {
        const path = join(tmp, `tokens-${n++}.txt`);
        await writeFile(path, bytes);
        const outcome = await readTokens(path).then(
          (t) => t,
          (err: unknown) => codeOf(err),
        );
        if (typeof outcome === 'string') expect(outcome).toBe('MODEL_TOKENS_INVALID');
        else expectValidTable(outcome as ReturnType<typeof parseTokens>);
      }),
      { numRuns: 300 },
    );
  });
});

/** Values a metadata_props entry could hold. */
const metaValueArb = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '0',
    '17',
    '+8',
    '-1',
    '1.5',
    '12abc',
    '1e3',
    '1e999',
    '-1e999',
    '3.5e38',
    '1e-50',
    'NaN',
    'Infinity',
    '0x10',
    '9007199254740993',
    '0,1,6,13',
    '1,,2',
    ' 1 , 2 ',
    '-0.5,0.25,1e-3',
    '1e40,1',
  ),
  fc.string({ maxLength: 20 }),
  fc.array(fc.oneof(fc.float(), fc.integer()), { maxLength: 5 }).map((xs) => xs.join(',')),
);

describe('metadata_props fuzz', () => {
  it('every accessor gives a value in range or MODEL_METADATA_MISSING / MODEL_METADATA_INVALID', () => {
    fc.assert(
      fc.property(
        fc.option(metaValueArb, { freq: 8 }),
        fc.integer({ min: 0, max: 4 }),
        fc.nat(10),
        (raw, length, fallback) => {
          const meta = new OnnxMetadata('fuzz.onnx', raw === null ? [] : [['k', raw]]);
          const expectCode = (fn: () => unknown) => {
            const code = codeOf(fn);
            if (code !== undefined)
              expect(['MODEL_METADATA_MISSING', 'MODEL_METADATA_INVALID']).toContain(code);
            return code;
          };
          const value = (fn: () => unknown) => (expectCode(fn) === undefined ? fn() : undefined);
          const i = value(() => meta.int('k')) as number | undefined;
          if (i !== undefined) expect(Number.isSafeInteger(i) && i >= 0).toBe(true);
          const j = value(() => meta.intOr('k', fallback)) as number | undefined;
          if (j !== undefined) expect(Number.isSafeInteger(j) && j >= 0).toBe(true);
          if (raw === null || raw === '') expect(j).toBe(fallback);
          const ints = value(() => meta.ints('k')) as number[] | undefined;
          for (const x of ints ?? []) expect(Number.isSafeInteger(x) && x >= 0).toBe(true);
          const floats = value(() => meta.floats('k')) as Float32Array | undefined;
          for (const x of floats ?? []) expect(Number.isFinite(x)).toBe(true);
          const sized = value(() => meta.floats('k', length)) as Float32Array | undefined;
          if (sized !== undefined) expect(sized.length).toBe(length);
          const s = value(() => meta.string('k')) as string | undefined;
          if (s !== undefined) expect(s.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('metadata carried in an ONNX file reads back exactly, whatever the keys and values', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.string({ unit: 'binary', maxLength: 12 }),
          fc.string({ unit: 'binary', maxLength: 30 }),
          {
            maxKeys: 6,
          },
        ),
        fc.integer({ min: 1, max: 64 }),
        async (metadata, window) => {
          const bytes = encodeModel({
            inputs: [{ name: 'x', dims: ['N', 80] }],
            outputs: [{ name: 'y' }],
            metadata,
          });
          const info = await parseOnnxModelInfo(bufferSource(bytes), 'fuzz.onnx', window);
          expect(info.metadata.toObject()).toEqual({ ...metadata });
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('speechstream.json fuzz', () => {
  const FIXTURE = 'test/fixtures/onnx/families/with-manifest';
  let dir: string;
  beforeAll(async () => {
    dir = join(tmp, 'model');
    await cp(FIXTURE, dir, { recursive: true });
  });

  const manifestArb = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc
      .record({
        files: fc.record(
          {
            model: fc.constantFrom('am-80ms.onnx', 'sub/../am-80ms.onnx'),
            tokens: fc.constantFrom('vocab.txt', './vocab.txt'),
          },
          { requiredKeys: [] },
        ),
        description: fc.string({ maxLength: 30 }),
      })
      .map((extra) => ({ id: 'tiny', family: 'nemo-ctc-streaming', task: 'asr', ...extra })),
    fc.record(
      {
        id: fc.oneof(fc.constantFrom('tiny', '../x', '', 'a/b', '.hidden'), fc.string({ maxLength: 10 })),
        family: fc.oneof(
          fc.constantFrom('nemo-ctc-streaming', 'nemo-ctc-offline', 'paraformer-offline'),
          fc.string({ maxLength: 6 }),
        ),
        task: fc.constantFrom('asr', 'tts', 'x'),
        files: fc.record(
          {
            model: fc.constantFrom(
              'am-80ms.onnx',
              '../with-manifest/am-80ms.onnx',
              '/etc/passwd',
              'C:\\x.onnx',
              'missing.onnx',
              '',
            ),
            tokens: fc.constantFrom('vocab.txt', '..\\vocab.txt', 'sub/../vocab.txt', 'nope.txt'),
            decoder: fc.constantFrom('am-80ms.onnx', 'x.onnx'),
          },
          { requiredKeys: [] },
        ),
        featurePreset: fc.oneof(
          fc.constantFrom('sherpa-online-nemo-transducer'),
          fc.string({ maxLength: 5 }),
        ),
        precision: fc.constantFrom('fp32', 'int8', 'fp16'),
        extra: fc.jsonValue({ maxDepth: 1 }),
      },
      { requiredKeys: [] },
    ),
  );

  it('any manifest loads a model inside its directory, or fails with a coded MODEL_* error', async () => {
    let loaded = 0;
    await fc.assert(
      fc.asyncProperty(manifestArb, async (manifest) => {
        await writeFile(join(dir, 'speechstream.json'), JSON.stringify(manifest) ?? '');
        const outcome = await loadManifest(dir).then(
          (m) => m,
          (err: unknown) => codeOf(err),
        );
        if (typeof outcome === 'string') {
          expect(outcome).toMatch(/^MODEL_/);
          return;
        }
        // Loaded: every file it resolved lies inside the model directory.
        loaded++;
        for (const path of Object.values(outcome.files))
          expect(path!.startsWith(`${outcome.dir}/`)).toBe(true);
      }),
      { numRuns: 300 },
    );
    expect(loaded).toBeGreaterThan(10);
  });
});
