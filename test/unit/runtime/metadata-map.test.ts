import { describe, expect, it } from 'vitest';
import { OnnxMetadata } from '../../../models/runtime/metadata-map.js';

const meta = new OnnxMetadata('enc.onnx', [
  ['vocab_size', '1024'],
  ['padded', ' 9 '],
  ['empty', ''],
  ['negative', '-3'],
  ['not_int', '12abc'],
  ['fraction', '2.5'],
  ['too_big', '9007199254740993'],
  ['neg_mean', '1.5, -2,0.25,3e-2'],
  ['bad_floats', '1,x,3'],
  ['hex', '0x10'],
  ['hole', '1,,2'],
  ['lookaheads', '0,1,6,13'],
  ['bad_ints', '0,-1'],
  ['name', 'conformer'],
  ['dup', 'first'],
  ['dup', 'second'],
]);

describe('OnnxMetadata', () => {
  it('int reads non-negative integers, tolerating surrounding spaces', () => {
    expect(meta.int('vocab_size')).toBe(1024);
    expect(meta.int('padded')).toBe(9);
  });

  it.each(['missing_key', 'empty'])('int(%s) -> MODEL_METADATA_MISSING naming file and key', (key) => {
    expect(() => meta.int(key)).toThrow(
      expect.objectContaining({ code: 'MODEL_METADATA_MISSING', details: { file: 'enc.onnx', key } }),
    );
    expect(() => meta.int(key)).toThrow(new RegExp(`enc\\.onnx.*'${key}'`));
  });

  it.each([
    ['negative', /negative/],
    ['not_int', /not an integer/],
    ['fraction', /not an integer/],
    ['too_big', /too large/],
    ['name', /not an integer/],
  ])('int(%s) -> MODEL_METADATA_INVALID', (key, why) => {
    expect(() => meta.int(key)).toThrow(expect.objectContaining({ code: 'MODEL_METADATA_INVALID' }));
    expect(() => meta.int(key)).toThrow(why);
  });

  it('intOr falls back only when missing or empty, and still rejects bad values', () => {
    expect(meta.intOr('missing_key', 7)).toBe(7);
    expect(meta.intOr('empty', 7)).toBe(7);
    expect(meta.intOr('vocab_size', 7)).toBe(1024);
    expect(() => meta.intOr('negative', 7)).toThrow(
      expect.objectContaining({ code: 'MODEL_METADATA_INVALID' }),
    );
  });

  it('string requires a non-empty value; stringOr returns what is stored', () => {
    expect(meta.string('name')).toBe('conformer');
    expect(() => meta.string('empty')).toThrow(expect.objectContaining({ code: 'MODEL_METADATA_MISSING' }));
    expect(meta.stringOr('empty', 'NA')).toBe('');
    expect(meta.stringOr('missing_key', 'NA')).toBe('NA');
  });

  it('floats parses comma-separated decimals into a Float32Array', () => {
    expect(Array.from(meta.floats('neg_mean'))).toEqual([1.5, -2, 0.25, Math.fround(0.03)]);
    expect(meta.floats('neg_mean', 4)).toBeInstanceOf(Float32Array);
  });

  it.each(['bad_floats', 'hex', 'hole'])('floats(%s) -> MODEL_METADATA_INVALID', (key) => {
    expect(() => meta.floats(key)).toThrow(expect.objectContaining({ code: 'MODEL_METADATA_INVALID' }));
  });

  it('floats with the wrong length -> MODEL_METADATA_INVALID stating both lengths', () => {
    expect(() => meta.floats('neg_mean', 560)).toThrow(/has 4 values, expected 560/);
    expect(() => meta.floats('missing_key')).toThrow(
      expect.objectContaining({ code: 'MODEL_METADATA_MISSING' }),
    );
  });

  it('ints parses comma-separated non-negative integers', () => {
    expect(meta.ints('lookaheads')).toEqual([0, 1, 6, 13]);
    expect(() => meta.ints('bad_ints')).toThrow(expect.objectContaining({ code: 'MODEL_METADATA_INVALID' }));
  });

  it('keeps the last value of a repeated key, like onnxruntime', () => {
    expect(meta.get('dup')).toBe('second');
    expect(meta.has('dup')).toBe(true);
    expect(meta.has('nothing')).toBe(false);
    expect(meta.toObject().vocab_size).toBe('1024');
    expect(meta.keys()).toContain('lookaheads');
  });
});
