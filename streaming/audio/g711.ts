/**
 * G.711 mu-law and A-law companding (telephony audio, WAV format tags 7 and 6).
 *
 * Decoding follows ITU-T G.711 exactly (the table every implementation agrees on).
 * Encoding follows the ITU/Sun reference coder (`linear2ulaw` / `linear2alaw`, also what
 * Python's audioop does): it truncates towards the segment's lower level rather than
 * rounding to the nearest one. Encoders in the wild differ at segment boundaries
 * (ffmpeg and sox each round their own way); the reference coder is the one tests pin.
 */

import { floatToInt16 } from './pcm.js';

const MULAW_BIAS = 0x84;
const MULAW_CLIP = 8159; // 14-bit magnitude ceiling of the mu-law curve
const MULAW_SEGMENT_END = [0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff];
const ALAW_SEGMENT_END = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];

function segmentOf(value: number, ends: readonly number[]): number {
  for (let i = 0; i < ends.length; i++) if (value <= ends[i]!) return i;
  return ends.length;
}

/** Decodes one mu-law byte to a 16-bit linear sample (range -32124..32124). */
export function mulawToLinear(code: number): number {
  const u = ~code & 0xff;
  let t = ((u & 0x0f) << 3) + MULAW_BIAS;
  t <<= (u & 0x70) >> 4;
  return u & 0x80 ? MULAW_BIAS - t : t - MULAW_BIAS;
}

/** Decodes one A-law byte to a 16-bit linear sample (range -32256..32256). */
export function alawToLinear(code: number): number {
  const a = (code ^ 0x55) & 0xff;
  let t = (a & 0x0f) << 4;
  const segment = (a & 0x70) >> 4;
  if (segment === 0) t += 8;
  else if (segment === 1) t += 0x108;
  else t = (t + 0x108) << (segment - 1);
  return a & 0x80 ? t : -t;
}

/** Encodes one 16-bit linear sample (clamped to int16) to a mu-law byte. */
export function linearToMulaw(sample: number): number {
  let pcm = clampInt16(sample) >> 2;
  let mask = 0xff;
  if (pcm < 0) {
    pcm = -pcm;
    mask = 0x7f;
  }
  if (pcm > MULAW_CLIP) pcm = MULAW_CLIP;
  pcm += MULAW_BIAS >> 2;
  const segment = segmentOf(pcm, MULAW_SEGMENT_END);
  if (segment >= 8) return 0x7f ^ mask;
  return ((segment << 4) | ((pcm >> (segment + 1)) & 0x0f)) ^ mask;
}

/** Encodes one 16-bit linear sample (clamped to int16) to an A-law byte. */
export function linearToAlaw(sample: number): number {
  let pcm = clampInt16(sample) >> 3;
  let mask = 0xd5;
  if (pcm < 0) {
    mask = 0x55;
    pcm = -pcm - 1;
  }
  const segment = segmentOf(pcm, ALAW_SEGMENT_END);
  if (segment >= 8) return 0x7f ^ mask;
  const mantissa = segment < 2 ? (pcm >> 1) & 0x0f : (pcm >> segment) & 0x0f;
  return ((segment << 4) | mantissa) ^ mask;
}

function clampInt16(sample: number): number {
  const s = Math.trunc(sample);
  if (s > 32767) return 32767;
  if (s < -32768) return -32768;
  return Number.isNaN(s) ? 0 : s;
}

function buildDecodeTable(decode: (code: number) => number): Float32Array {
  const table = new Float32Array(256);
  for (let code = 0; code < 256; code++) table[code] = decode(code) / 32768;
  return table;
}

/** Byte -> float sample in [-1, 1), indexed by the code. Shared, read-only by convention. */
export const MULAW_TO_FLOAT: Float32Array = buildDecodeTable(mulawToLinear);
export const ALAW_TO_FLOAT: Float32Array = buildDecodeTable(alawToLinear);

// Encoding tables are 64 KiB each and only telephony output needs them: built on first use.
let mulawEncodeTable: Uint8Array | undefined;
let alawEncodeTable: Uint8Array | undefined;

function buildEncodeTable(encode: (sample: number) => number): Uint8Array {
  const table = new Uint8Array(65536);
  for (let i = 0; i < 65536; i++) table[i] = encode(i - 32768);
  return table;
}

/** int16 (offset by 32768) -> mu-law byte. */
export function mulawEncodeTable16(): Uint8Array {
  mulawEncodeTable ??= buildEncodeTable(linearToMulaw);
  return mulawEncodeTable;
}

/** int16 (offset by 32768) -> A-law byte. */
export function alawEncodeTable16(): Uint8Array {
  alawEncodeTable ??= buildEncodeTable(linearToAlaw);
  return alawEncodeTable;
}

/** Decodes mu-law bytes to float samples in [-1, 1). */
export function decodeMulaw(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = MULAW_TO_FLOAT[bytes[i]!]!;
  return out;
}

/** Decodes A-law bytes to float samples in [-1, 1). */
export function decodeAlaw(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = ALAW_TO_FLOAT[bytes[i]!]!;
  return out;
}

/** Encodes float samples to mu-law (rounded to int16 first, clipped, NaN as 0). */
export function encodeMulaw(samples: Float32Array): Uint8Array {
  return encodeWith(samples, mulawEncodeTable16());
}

/** Encodes float samples to A-law (rounded to int16 first, clipped, NaN as 0). */
export function encodeAlaw(samples: Float32Array): Uint8Array {
  return encodeWith(samples, alawEncodeTable16());
}

function encodeWith(samples: Float32Array, table: Uint8Array): Uint8Array {
  const out = new Uint8Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = table[floatToInt16(samples[i]!) + 32768]!;
  return out;
}
