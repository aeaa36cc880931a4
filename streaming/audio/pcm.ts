/**
 * Linear PCM helpers: integer <-> float conversion, channel (de)interleaving, down-mix.
 *
 * Integer <-> float uses one scale both ways, 2^(bits-1): int16 -32768 is -1.0 and 32767 is
 * 32767/32768. The round trip int -> float -> int is exact for 16 and 24 bits (float32 has a
 * 24-bit mantissa); int32 keeps the top 24 bits. On the way back to int, values are rounded
 * to nearest and clipped to the integer range, so a float of 1.0 becomes 32767, not -32768,
 * and NaN becomes 0.
 */

import { SpeechError } from '../../common/errors.js';

const SCALE16 = 32768;
const SCALE24 = 8388608;
const SCALE32 = 2147483648;

/** round(x * scale) clipped to [-scale, scale - 1], NaN -> 0; scale is 2^(bits-1). */
export function floatToInt(x: number, scale: number): number {
  const v = Math.round(x * scale);
  if (v > scale - 1) return scale - 1;
  if (v < -scale) return -scale;
  return Number.isNaN(v) ? 0 : v;
}

/** The int16 value a float sample maps to: round(x * 32768), clipped; NaN gives 0. */
export function floatToInt16(x: number): number {
  return floatToInt(x, SCALE16);
}

export function int16ToFloat32(samples: Int16Array): Float32Array {
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = samples[i]! / SCALE16;
  return out;
}

export function float32ToInt16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = floatToInt(samples[i]!, SCALE16);
  return out;
}

/** 24-bit samples are carried sign-extended in an Int32Array (-8388608..8388607). */
export function int24ToFloat32(samples: Int32Array): Float32Array {
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = samples[i]! / SCALE24;
  return out;
}

export function float32ToInt24(samples: Float32Array): Int32Array {
  const out = new Int32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = floatToInt(samples[i]!, SCALE24);
  return out;
}

export function int32ToFloat32(samples: Int32Array): Float32Array {
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = samples[i]! / SCALE32;
  return out;
}

export function float32ToInt32(samples: Float32Array): Int32Array {
  const out = new Int32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = floatToInt(samples[i]!, SCALE32);
  return out;
}

/** Planar channels (all the same length) -> one interleaved array (frame by frame). */
export function interleave(channels: readonly Float32Array[]): Float32Array {
  const count = checkChannels(channels);
  const frames = channels[0]!.length;
  const out = new Float32Array(frames * count);
  for (let c = 0; c < count; c++) {
    const src = channels[c]!;
    for (let f = 0, o = c; f < frames; f++, o += count) out[o] = src[f]!;
  }
  return out;
}

/** Interleaved samples -> planar channels; the length must be a whole number of frames. */
export function deinterleave(samples: Float32Array, channelCount: number): Float32Array[] {
  if (!Number.isInteger(channelCount) || channelCount < 1) {
    throw new SpeechError(
      'AUDIO_BAD_FORMAT',
      `channel count must be a positive integer, got ${channelCount}`,
      {
        channelCount,
      },
    );
  }
  if (samples.length % channelCount !== 0) {
    throw new SpeechError(
      'AUDIO_BAD_FORMAT',
      `${samples.length} interleaved samples are not a whole number of ${channelCount}-channel frames`,
      { samples: samples.length, channelCount },
    );
  }
  const frames = samples.length / channelCount;
  const out: Float32Array[] = [];
  for (let c = 0; c < channelCount; c++) {
    const dst = new Float32Array(frames);
    for (let f = 0, i = c; f < frames; f++, i += channelCount) dst[f] = samples[i]!;
    out.push(dst);
  }
  return out;
}

/**
 * Mean of the channels, frame by frame. A single channel is returned as is (no copy), so
 * callers must not mutate the result when they still need the input.
 */
export function downmixToMono(channels: readonly Float32Array[]): Float32Array {
  const count = checkChannels(channels);
  if (count === 1) return channels[0]!;
  const frames = channels[0]!.length;
  const out = new Float32Array(frames);
  if (count === 2) {
    // The common case gets its own loop: (l + r) / 2 without the inner channel loop.
    const l = channels[0]!;
    const r = channels[1]!;
    for (let f = 0; f < frames; f++) out[f] = (l[f]! + r[f]!) * 0.5;
    return out;
  }
  const sum = new Float64Array(frames);
  for (const channel of channels) for (let f = 0; f < frames; f++) sum[f]! += channel[f]!;
  for (let f = 0; f < frames; f++) out[f] = sum[f]! / count;
  return out;
}

/**
 * Replaces non-finite samples in place: NaN -> 0, +Inf -> 1, -Inf -> -1. Returns how many
 * were replaced. One NaN would otherwise poison every feature frame it touches, and a
 * single bad sample should not end a two-hour stream. Finite values (even |x| > 1) are kept.
 */
export function sanitizeSamples(samples: Float32Array): number {
  let replaced = 0;
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i]!;
    if (x - x !== 0) {
      samples[i] = x > 0 ? 1 : x < 0 ? -1 : 0;
      replaced++;
    }
  }
  return replaced;
}

function checkChannels(channels: readonly Float32Array[]): number {
  const first = channels[0];
  if (first === undefined) throw new SpeechError('AUDIO_BAD_FORMAT', 'at least one channel is required');
  for (const channel of channels) {
    if (channel.length !== first.length) {
      throw new SpeechError('AUDIO_BAD_FORMAT', 'all channels must have the same length', {
        lengths: channels.map((c) => c.length),
      });
    }
  }
  return channels.length;
}

/** One buffer holding `parts` back to back (hybrid encoder frames, collected test clips). */
export function concatSamples(parts: readonly Float32Array[]): Float32Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Float32Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
