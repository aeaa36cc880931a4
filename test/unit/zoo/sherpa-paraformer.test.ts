// sherpa-onnx (the reference consumer of the FunASR Paraformer contract) loads the zoo
// fixture and decodes real speech. If the exported graph, its metadata, tokens.txt or
// am.mvn drift from the contract, sherpa refuses to load, decodes different tokens than
// the PyTorch model, or this file's own contract checks fail.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const FIXTURE = join(import.meta.dirname, '../../fixtures/zoo/paraformer-offline');
const STREAMING = join(import.meta.dirname, '../../fixtures/zoo/paraformer-streaming');
const DATA = resolve(import.meta.dirname, '../../../../shared/data');

// sherpa-onnx-node ships no type declarations: describe the part this test uses.
interface Wave {
  samples: Float32Array;
  sampleRate: number;
}
interface OfflineStream {
  acceptWaveform(wave: Wave): void;
}
interface OfflineResult {
  text: string;
  tokens: string[];
  timestamps?: number[];
}
interface OfflineRecognizer {
  createStream(): OfflineStream;
  decode(stream: OfflineStream): void;
  getResult(stream: OfflineStream): OfflineResult;
}
interface OnlineStream {
  acceptWaveform(wave: Wave): void;
  setOption(key: string, value: string): void;
  inputFinished(): void;
}
interface OnlineRecognizer {
  createStream(): OnlineStream;
  isReady(stream: OnlineStream): boolean;
  decode(stream: OnlineStream): void;
  getResult(stream: OnlineStream): OfflineResult;
}
interface Sherpa {
  OfflineRecognizer: new (config: object) => OfflineRecognizer;
  OnlineRecognizer: new (config: object) => OnlineRecognizer;
  readWave(path: string): Wave;
}
const sherpa = createRequire(import.meta.url)('sherpa-onnx-node') as Sherpa;

interface SherpaExpectation {
  clip: string | null;
  /** First sample of the excerpt (0 when absent). */
  offset?: number;
  samples: number;
  /** What sherpa reports (null: it drops them because the counts disagree). */
  timestamps?: number[] | null;
  /** Every us_cif_peak fire, seconds. */
  peak_times?: number[];
  token_ids: number[];
  tokens: string[];
  text: string;
  token_num: number;
}
interface Manifest {
  metadata: Record<string, string>;
  outputs: Array<{ name: string }>;
  tokens: { count: number; blank: number; sos: number; eos: number; unk: number };
}

const readJson = <T>(dir: string, file: string): T => JSON.parse(readFileSync(join(dir, file), 'utf8')) as T;
const reference = readJson<{ sherpa: Record<string, SherpaExpectation> }>(FIXTURE, 'reference.json');
const manifest = readJson<Manifest>(FIXTURE, 'manifest.json');

/** metadata_props (ModelProto field 14: key = 1, value = 2) read straight from the file bytes. */
function onnxMetadata(path: string): Map<string, string> {
  const bytes = readFileSync(path);
  let pos = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = bytes[pos++];
      if (byte === undefined) throw new Error('truncated varint');
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
  };
  const fields = (end: number, onField: (field: number, start: number, stop: number) => void) => {
    while (pos < end) {
      const tag = varint();
      const wire = tag % 8;
      if (wire === 0) varint();
      else if (wire === 1) pos += 8;
      else if (wire === 5) pos += 4;
      else if (wire === 2) {
        const length = varint();
        const start = pos;
        pos += length;
        onField(Math.floor(tag / 8), start, pos);
      } else throw new Error(`unsupported wire type ${wire}`);
    }
  };
  const out = new Map<string, string>();
  fields(bytes.length, (field, start, stop) => {
    if (field !== 14) return;
    const saved = pos;
    pos = start;
    const entry: string[] = ['', ''];
    fields(stop, (f, s, e) => {
      if (f === 1 || f === 2) entry[f - 1] = bytes.toString('utf8', s, e);
    });
    pos = saved;
    out.set(entry[0] ?? '', entry[1] ?? '');
  });
  return out;
}

function readTokens(dir = FIXTURE): Array<[string, number]> {
  return readFileSync(join(dir, 'tokens.txt'), 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const [symbol = '', id = ''] = line.split(' ');
      return [symbol, Number(id)];
    });
}

/** The two vectors of a FunASR am.mvn (Kaldi nnet1 text): <AddShift> then <Rescale>. */
function readAmMvn(dir = FIXTURE): { negMean: number[]; invStddev: number[] } {
  const text = readFileSync(join(dir, 'am.mvn'), 'utf8');
  const vector = (component: string): number[] => {
    const match = new RegExp(`<${component}> \\d+ \\d+\\n<LearnRateCoef> 0 \\[([^\\]]*)\\]`).exec(text);
    if (!match?.[1]) throw new Error(`am.mvn has no <${component}> vector`);
    return match[1].trim().split(/\s+/).map(Number);
  };
  return { negMean: vector('AddShift'), invStddev: vector('Rescale') };
}

const floats = (value: string | undefined): number[] => (value ?? '').split(',').map(Number);

describe('zoo paraformer-offline contract files', () => {
  const metadata = onnxMetadata(join(FIXTURE, 'model.onnx'));
  const tokens = readTokens();

  it('carries the metadata sherpa requires, identical to the manifest', () => {
    expect(Object.fromEntries(metadata)).toEqual(manifest.metadata);
    expect(metadata.get('model_type')).toBe('paraformer');
    expect(metadata.get('lfr_window_size')).toBe('7');
    expect(metadata.get('lfr_window_shift')).toBe('6');
    expect(Number(metadata.get('vocab_size'))).toBe(tokens.length);
    const negMean = floats(metadata.get('neg_mean'));
    const invStddev = floats(metadata.get('inv_stddev'));
    expect(negMean).toHaveLength(560);
    expect(invStddev).toHaveLength(560);
    expect(negMean.every(Number.isFinite) && invStddev.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
  });

  it('writes am.mvn with the same CMVN vectors as the metadata', () => {
    const mvn = readAmMvn();
    expect(mvn.negMean).toEqual(floats(metadata.get('neg_mean')));
    expect(mvn.invStddev).toEqual(floats(metadata.get('inv_stddev')));
  });

  it('lays out tokens.txt as FunASR does: specials first, <unk> last, ids contiguous', () => {
    expect(tokens.slice(0, 3)).toEqual([
      ['<blank>', 0],
      ['<s>', 1],
      ['</s>', 2],
    ]);
    expect(tokens.at(-1)?.[0]).toBe('<unk>');
    expect(tokens.map(([, id]) => id)).toEqual(tokens.map((_, i) => i));
    expect(manifest.tokens).toEqual({
      count: tokens.length,
      blank: 0,
      sos: 1,
      eos: 2,
      unk: tokens.length - 1,
    });
    for (const [symbol] of tokens.slice(3, -1)) {
      // '@' may only appear as the trailing "@@" continuation mark sherpa strips.
      expect(symbol.replace(/@@$/, '')).toMatch(/^[a-z]+$/);
    }
  });
});

describe('sherpa-onnx decodes real speech with the zoo paraformer-offline fixture', () => {
  let recognizer: OfflineRecognizer;
  const vocabulary = new Set(readTokens().map(([symbol]) => symbol));

  beforeAll(() => {
    recognizer = new sherpa.OfflineRecognizer({
      featConfig: { sampleRate: 16000, featureDim: 80 },
      modelConfig: {
        paraformer: { model: join(FIXTURE, 'model.onnx') },
        tokens: join(FIXTURE, 'tokens.txt'),
        numThreads: 1,
        provider: 'cpu',
        debug: 0,
      },
      decodingMethod: 'greedy_search',
    });
  });

  function decode(wave: Wave): OfflineResult {
    const stream = recognizer.createStream();
    stream.acceptWaveform(wave);
    recognizer.decode(stream);
    return recognizer.getResult(stream);
  }

  function expectation(name: string): SherpaExpectation {
    const e = reference.sherpa[name];
    if (!e) throw new Error(`reference.json has no sherpa case ${name}`);
    return e;
  }

  it.each(['jfk-3s', 'jfk'])('decodes %s to exactly the tokens of the PyTorch model', (name) => {
    const e = expectation(name);
    const wave = sherpa.readWave(join(DATA, e.clip ?? ''));
    const result = decode({ samples: wave.samples.subarray(0, e.samples), sampleRate: wave.sampleRate });
    expect(e.tokens.length).toBeGreaterThanOrEqual(5);
    expect(result.tokens).toEqual(e.tokens);
    expect(result.text.trim()).toBe(e.text);
  });

  it('stops at the first </s>, before the last CIF token (the full clip exercises the rule)', () => {
    const e = expectation('jfk');
    expect(e.token_ids.length).toBeLessThan(e.token_num);
    expect(e.token_ids).not.toContain(manifest.tokens.eos);
  });

  it('returns an empty result for 50 ms of silence (zero CIF tokens) instead of failing', () => {
    const e = expectation('silence-50ms');
    expect(e.token_num).toBe(0);
    const result = decode({ samples: new Float32Array(e.samples), sampleRate: 16000 });
    expect(result.tokens).toEqual([]);
    expect(result.text.trim()).toBe('');
  });

  const windows = Object.keys(reference.sherpa).filter((name) => name.startsWith('jfk@'));

  it('exports FunASR BiCif timestamp outputs 2 and 3 (us_alphas, us_cif_peak)', () => {
    expect(manifest.outputs.map((o) => o.name)).toEqual(['logits', 'token_num', 'us_alphas', 'us_cif_peak']);
    expect(windows.length).toBeGreaterThanOrEqual(3);
  });

  it.each(windows)(
    'reports the timestamps of the PyTorch peaks on %s (</s> on the last CIF position)',
    (name) => {
      const e = expectation(name);
      const wave = sherpa.readWave(join(DATA, e.clip ?? ''));
      const start = e.offset ?? 0;
      const result = decode({ samples: wave.samples.subarray(start, start + e.samples), sampleRate: 16000 });
      expect(result.tokens).toEqual(e.tokens);
      const want = e.timestamps ?? [];
      expect(want.length).toBe(e.tokens.length);
      expect(want.length).toBeGreaterThanOrEqual(3);
      expect(result.timestamps?.length).toBe(want.length);
      for (const [i, t] of (result.timestamps ?? []).entries())
        expect(t).toBeCloseTo(want[i] ?? Number.NaN, 5);
      // Times rise: each token fires after the one before.
      for (let i = 1; i < want.length; i++) expect(want[i]).toBeGreaterThan(want[i - 1] ?? 0);
    },
  );

  it('drops the timestamps when a </s> ends the tokens before the last CIF position (jfk)', () => {
    const e = expectation('jfk');
    expect(e.timestamps).toBeNull();
    expect(e.peak_times).toHaveLength(e.token_num);
    const wave = sherpa.readWave(join(DATA, e.clip ?? ''));
    const result = decode({ samples: wave.samples.subarray(0, e.samples), sampleRate: wave.sampleRate });
    expect(result.timestamps ?? []).toEqual([]);
  });

  it.each(['0_theo_0', '3_theo_1', '7_jackson_2', '9_george_3'])(
    'decodes FSDD clip %s (8 kHz, resampled by sherpa) to a non-empty token sequence',
    (clip) => {
      const wave = sherpa.readWave(join(DATA, 'fsdd/recordings', `${clip}.wav`));
      expect(wave.sampleRate).toBe(8000);
      const result = decode(wave);
      expect(result.tokens.length).toBeGreaterThan(0);
      for (const t of result.tokens)
        expect(vocabulary.has(t) && !['<blank>', '<s>', '</s>'].includes(t)).toBe(true);
    },
  );

  it('decodes a minute of speech with pauses (vad-speech-60s.wav)', () => {
    const wave = sherpa.readWave(join(DATA, 'clips/vad-speech-60s.wav'));
    expect(wave.samples.length / wave.sampleRate).toBeGreaterThan(50);
    const result = decode(wave);
    expect(result.tokens.length).toBeGreaterThan(0);
    expect(result.text.trim().length).toBeGreaterThan(0);
  });
});

describe('zoo paraformer-streaming with sherpa-onnx OnlineRecognizer', () => {
  const streamingReference = readJson<{ sherpa: Record<string, SherpaExpectation> }>(
    STREAMING,
    'reference.json',
  );
  const streamingManifest = readJson<Manifest>(STREAMING, 'manifest.json');
  let recognizer: OnlineRecognizer;

  beforeAll(() => {
    recognizer = new sherpa.OnlineRecognizer({
      featConfig: { sampleRate: 16000, featureDim: 80 },
      modelConfig: {
        paraformer: { encoder: join(STREAMING, 'encoder.onnx'), decoder: join(STREAMING, 'decoder.onnx') },
        tokens: join(STREAMING, 'tokens.txt'),
        numThreads: 1,
        provider: 'cpu',
        debug: 0,
      },
      decodingMethod: 'greedy_search',
    });
  });

  /** Feeds `samples` in pieces of `piece` samples, decoding whenever a chunk is ready. */
  function stream(samples: Float32Array, piece: number): OfflineResult {
    const s = recognizer.createStream();
    for (let start = 0; start < samples.length; start += piece) {
      s.acceptWaveform({ samples: samples.subarray(start, start + piece), sampleRate: 16000 });
      while (recognizer.isReady(s)) recognizer.decode(s);
    }
    // sherpa decodes the last, shorter-than-a-chunk frames only for a final stream.
    s.setOption('is_final', '1');
    s.inputFinished();
    while (recognizer.isReady(s)) recognizer.decode(s);
    return recognizer.getResult(s);
  }

  function expectation(name: string): SherpaExpectation {
    const e = streamingReference.sherpa[name];
    if (!e) throw new Error(`streaming reference.json has no sherpa case ${name}`);
    return e;
  }

  it('puts the online contract metadata on encoder.onnx, identical to the manifest', () => {
    const metadata = onnxMetadata(join(STREAMING, 'encoder.onnx'));
    expect(Object.fromEntries(metadata)).toEqual(streamingManifest.metadata);
    for (const key of ['encoder_output_size', 'decoder_num_blocks', 'decoder_kernel_size']) {
      expect(Number(metadata.get(key))).toBeGreaterThan(0);
    }
    expect(Number(metadata.get('vocab_size'))).toBe(readTokens(STREAMING).length);
    const mvn = readAmMvn(STREAMING);
    expect(mvn.negMean).toEqual(floats(metadata.get('neg_mean')));
    expect(mvn.invStddev).toEqual(floats(metadata.get('inv_stddev')));
  });

  it.each(['jfk-3s', 'jfk'])(
    'streams %s to exactly the tokens of the PyTorch replay of its chunk loop',
    (name) => {
      const e = expectation(name);
      const wave = sherpa.readWave(join(DATA, e.clip ?? ''));
      const result = stream(wave.samples.subarray(0, e.samples), e.samples);
      expect(e.tokens.length).toBeGreaterThanOrEqual(5);
      expect(result.tokens).toEqual(e.tokens);
      expect(result.text.trim()).toBe(e.text);
    },
  );

  it('gives the same tokens when the audio arrives in odd-sized pieces', () => {
    const e = expectation('jfk-3s');
    const wave = sherpa.readWave(join(DATA, e.clip ?? ''));
    const result = stream(wave.samples.subarray(0, e.samples), 1237);
    expect(result.tokens).toEqual(e.tokens);
  });

  it('streams a minute of speech with pauses (vad-speech-60s.wav)', () => {
    const wave = sherpa.readWave(join(DATA, 'clips/vad-speech-60s.wav'));
    expect(wave.sampleRate).toBe(16000);
    const result = stream(wave.samples, 16000);
    expect(result.tokens.length).toBeGreaterThan(0);
  });
});
