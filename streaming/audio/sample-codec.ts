/**
 * Interleaved sample bytes <-> planar float32, for every encoding a WAV file or a raw PCM
 * stream can carry. Bytes are read through a DataView, so input chunks may start at any
 * byte offset (Node's pooled Buffers rarely are aligned) and either byte order works.
 */

import { ALAW_TO_FLOAT, alawEncodeTable16, MULAW_TO_FLOAT, mulawEncodeTable16 } from './g711.js';
import { floatToInt, floatToInt16 } from './pcm.js';

/**
 * Sample encodings. `pcm8` is unsigned (WAV convention), the other integer sizes signed;
 * `pcm24` is packed in 3 bytes.
 */
export type SampleEncoding = 'pcm8' | 'pcm16' | 'pcm24' | 'pcm32' | 'float32' | 'float64' | 'mulaw' | 'alaw';

export const SAMPLE_ENCODINGS: readonly SampleEncoding[] = [
  'pcm8',
  'pcm16',
  'pcm24',
  'pcm32',
  'float32',
  'float64',
  'mulaw',
  'alaw',
];

export function bytesPerSample(encoding: SampleEncoding): number {
  switch (encoding) {
    case 'pcm8':
    case 'mulaw':
    case 'alaw':
      return 1;
    case 'pcm16':
      return 2;
    case 'pcm24':
      return 3;
    case 'pcm32':
    case 'float32':
      return 4;
    case 'float64':
      return 8;
  }
}

/**
 * Largest float sample magnitude decoded as it is. Float audio may exceed full scale, but
 * not by this much (even int16 values written as floats stay under it); beyond it a sample
 * is treated like an infinity, since squaring or filtering it would overflow float32 and
 * poison the features with infinities.
 */
export const MAX_FLOAT_SAMPLE = 65536;

const INV16 = 1 / 32768;
const INV24 = 1 / 8388608;
const INV32 = 1 / 2147483648;

/**
 * Decodes `frames` interleaved frames starting at `src[offset]` into the planar arrays of
 * `out`, from index `outOffset`. Non-finite float samples are replaced (NaN -> 0, +-Inf ->
 * +-1, see `sanitizeSamples`), and so are finite ones beyond +-MAX_FLOAT_SAMPLE (-> +-1);
 * returns how many were.
 */
export function decodeInterleaved(
  src: Uint8Array,
  offset: number,
  frames: number,
  encoding: SampleEncoding,
  littleEndian: boolean,
  out: readonly Float32Array[],
  outOffset: number,
): number {
  const channels = out.length;
  const view = new DataView(src.buffer, src.byteOffset + offset);
  const le = littleEndian;
  let p = 0;
  let replaced = 0;
  // One loop per encoding keeps the branch out of the per-sample path.
  switch (encoding) {
    case 'pcm8':
      for (let f = outOffset, end = outOffset + frames; f < end; f++)
        for (let c = 0; c < channels; c++) out[c]![f] = (view.getUint8(p++) - 128) / 128;
      break;
    case 'pcm16':
      for (let f = outOffset, end = outOffset + frames; f < end; f++)
        for (let c = 0; c < channels; c++, p += 2) out[c]![f] = view.getInt16(p, le) * INV16;
      break;
    case 'pcm24':
      for (let f = outOffset, end = outOffset + frames; f < end; f++)
        for (let c = 0; c < channels; c++, p += 3) {
          const b0 = view.getUint8(p);
          const b1 = view.getUint8(p + 1);
          const b2 = view.getUint8(p + 2);
          // Sign-extend the top byte with a shift pair.
          const v = le ? b0 | (b1 << 8) | ((b2 << 24) >> 8) : b2 | (b1 << 8) | ((b0 << 24) >> 8);
          out[c]![f] = v * INV24;
        }
      break;
    case 'pcm32':
      for (let f = outOffset, end = outOffset + frames; f < end; f++)
        for (let c = 0; c < channels; c++, p += 4) out[c]![f] = view.getInt32(p, le) * INV32;
      break;
    case 'float32':
      for (let f = outOffset, end = outOffset + frames; f < end; f++)
        for (let c = 0; c < channels; c++, p += 4) {
          const x = view.getFloat32(p, le);
          if (x <= MAX_FLOAT_SAMPLE && x >= -MAX_FLOAT_SAMPLE) out[c]![f] = x;
          else {
            out[c]![f] = x > 0 ? 1 : x < 0 ? -1 : 0;
            replaced++;
          }
        }
      break;
    case 'float64':
      for (let f = outOffset, end = outOffset + frames; f < end; f++)
        for (let c = 0; c < channels; c++, p += 8) {
          // Round to float32 first: a finite double beyond float32 range becomes +-Inf.
          const x = Math.fround(view.getFloat64(p, le));
          if (x <= MAX_FLOAT_SAMPLE && x >= -MAX_FLOAT_SAMPLE) out[c]![f] = x;
          else {
            out[c]![f] = x > 0 ? 1 : x < 0 ? -1 : 0;
            replaced++;
          }
        }
      break;
    case 'mulaw':
      for (let f = outOffset, end = outOffset + frames; f < end; f++)
        for (let c = 0; c < channels; c++) out[c]![f] = MULAW_TO_FLOAT[view.getUint8(p++)]!;
      break;
    case 'alaw':
      for (let f = outOffset, end = outOffset + frames; f < end; f++)
        for (let c = 0; c < channels; c++) out[c]![f] = ALAW_TO_FLOAT[view.getUint8(p++)]!;
      break;
  }
  return replaced;
}

/**
 * Planar float channels (same length) -> interleaved bytes. Integer encodings round to
 * nearest and clip (NaN -> 0); float encodings store the values as they are.
 */
export function encodeInterleaved(
  channels: readonly Float32Array[],
  encoding: SampleEncoding,
  littleEndian = true,
): Uint8Array {
  const count = channels.length;
  const frames = count === 0 ? 0 : channels[0]!.length;
  const out = new Uint8Array(frames * count * bytesPerSample(encoding));
  const view = new DataView(out.buffer);
  const le = littleEndian;
  let p = 0;
  switch (encoding) {
    case 'pcm8':
      for (let f = 0; f < frames; f++)
        for (let c = 0; c < count; c++) view.setUint8(p++, floatToInt(channels[c]![f]!, 128) + 128);
      break;
    case 'pcm16':
      for (let f = 0; f < frames; f++)
        for (let c = 0; c < count; c++, p += 2) view.setInt16(p, floatToInt16(channels[c]![f]!), le);
      break;
    case 'pcm24':
      for (let f = 0; f < frames; f++)
        for (let c = 0; c < count; c++, p += 3) {
          const v = floatToInt(channels[c]![f]!, 8388608);
          const lo = v & 0xff;
          const hi = (v >> 16) & 0xff;
          view.setUint8(p, le ? lo : hi);
          view.setUint8(p + 1, (v >> 8) & 0xff);
          view.setUint8(p + 2, le ? hi : lo);
        }
      break;
    case 'pcm32':
      for (let f = 0; f < frames; f++)
        for (let c = 0; c < count; c++, p += 4)
          view.setInt32(p, floatToInt(channels[c]![f]!, 2147483648), le);
      break;
    case 'float32':
      for (let f = 0; f < frames; f++)
        for (let c = 0; c < count; c++, p += 4) view.setFloat32(p, channels[c]![f]!, le);
      break;
    case 'float64':
      for (let f = 0; f < frames; f++)
        for (let c = 0; c < count; c++, p += 8) view.setFloat64(p, channels[c]![f]!, le);
      break;
    case 'mulaw':
    case 'alaw': {
      const table = encoding === 'mulaw' ? mulawEncodeTable16() : alawEncodeTable16();
      for (let f = 0; f < frames; f++)
        for (let c = 0; c < count; c++) out[p++] = table[floatToInt16(channels[c]![f]!) + 32768]!;
      break;
    }
  }
  return out;
}
