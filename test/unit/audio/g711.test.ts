import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ALAW_TO_FLOAT,
  alawToLinear,
  decodeAlaw,
  decodeMulaw,
  encodeAlaw,
  encodeMulaw,
  linearToAlaw,
  linearToMulaw,
  MULAW_TO_FLOAT,
  mulawToLinear,
} from '../../../streaming/audio/g711.js';
import { ffmpeg, fixturesDir } from './helpers.js';

interface LawGolden {
  decode: number[];
  encodeRuns: [number, number][];
}
// Produced by models/py/golden/g711_golden.py (Python's audioop, the ITU/Sun reference coder).
const golden = JSON.parse(readFileSync(join(fixturesDir, 'g711-golden.json'), 'utf8')) as Record<
  'mulaw' | 'alaw',
  LawGolden
>;

function expandRuns(runs: [number, number][]): Uint8Array {
  const codes = new Uint8Array(65536);
  for (let r = 0; r < runs.length; r++) {
    const [start, code] = runs[r]!;
    const end = r + 1 < runs.length ? runs[r + 1]![0] : 32768;
    codes.fill(code, start + 32768, end + 32768);
  }
  return codes;
}

const laws = [
  { name: 'mulaw' as const, toLinear: mulawToLinear, fromLinear: linearToMulaw, table: MULAW_TO_FLOAT },
  { name: 'alaw' as const, toLinear: alawToLinear, fromLinear: linearToAlaw, table: ALAW_TO_FLOAT },
];

describe.each(laws)('G.711 $name', ({ name, toLinear, fromLinear, table }) => {
  it('decodes every code like ffmpeg does', () => {
    const codes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const raw = ffmpeg(['-f', name, '-ar', '8000', '-ac', '1', '-i', '-', '-f', 's16le', '-'], codes);
    const reference = new Int16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    expect(reference.length).toBe(256);
    for (let c = 0; c < 256; c++) expect(toLinear(c), `code ${c}`).toBe(reference[c]);
  });

  it('decodes every code like the reference coder (audioop golden)', () => {
    expect(Array.from({ length: 256 }, (_, c) => toLinear(c))).toEqual(golden[name].decode);
  });

  it('encodes every int16 value like the reference coder (audioop golden)', () => {
    const expected = expandRuns(golden[name].encodeRuns);
    let mismatches = 0;
    for (let x = -32768; x < 32768; x++) if (fromLinear(x) !== expected[x + 32768]) mismatches++;
    expect(mismatches).toBe(0);
  });

  it('re-encodes every decoded level to its own code (except the duplicate zero)', () => {
    for (let c = 0; c < 256; c++) {
      const level = toLinear(c);
      const again = fromLinear(level);
      // mu-law has +0 (0xFF) and -0 (0x7F); both decode to 0, which encodes as +0.
      if (name === 'mulaw' && c === 0x7f) expect(again).toBe(0xff);
      else expect(again, `code ${c}`).toBe(c);
    }
  });

  it('float helpers agree with the integer coder and the lookup table', () => {
    const codes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const floats = name === 'mulaw' ? decodeMulaw(codes) : decodeAlaw(codes);
    for (let c = 0; c < 256; c++) {
      expect(floats[c]).toBe(toLinear(c) / 32768);
      expect(table[c]).toBe(floats[c]);
    }
    const encoded = name === 'mulaw' ? encodeMulaw(floats) : encodeAlaw(floats);
    const expected = Array.from(codes, (c) => fromLinear(toLinear(c)));
    expect(Array.from(encoded)).toEqual(expected);
  });

  it('clips out-of-range floats and maps NaN to the zero code', () => {
    const encode = name === 'mulaw' ? encodeMulaw : encodeAlaw;
    const out = encode(Float32Array.of(5, -5, 1, -1, Number.NaN));
    expect(out[0]).toBe(fromLinear(32767));
    expect(out[1]).toBe(fromLinear(-32768));
    expect(out[2]).toBe(fromLinear(32767));
    expect(out[3]).toBe(fromLinear(-32768));
    expect(out[4]).toBe(fromLinear(0));
  });
});
