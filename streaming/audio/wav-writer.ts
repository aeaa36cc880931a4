/**
 * WAV writing: whole files (`encodeWav`) and streamed output of unknown length (`wavHeader`
 * without `dataBytes`, then `encodeWavData` per chunk, then optionally `patchWavSizes` when
 * the destination can seek back to the start).
 *
 * Layout: RIFF header, `fmt ` (16 bytes for PCM; 18 plus a `fact` chunk for float and G.711,
 * as the spec asks of non-PCM formats; 40 for WAVE_FORMAT_EXTENSIBLE), then `data`.
 * EXTENSIBLE is used for more than two channels (what ffmpeg does too), or on request.
 * A streamed header carries 0xFFFFFFFF sizes, which ffmpeg, sox and our parser read as
 * "until end of stream".
 */

import { SpeechError } from '../../common/errors.js';
import { bytesPerSample, encodeInterleaved, type SampleEncoding } from './sample-codec.js';
import {
  KSDATAFORMAT_SUBTYPE_TAIL,
  WAVE_FORMAT_ALAW,
  WAVE_FORMAT_EXTENSIBLE,
  WAVE_FORMAT_IEEE_FLOAT,
  WAVE_FORMAT_MULAW,
  WAVE_FORMAT_PCM,
} from './wav-format.js';

export interface WavAudio {
  sampleRate: number;
  /** One Float32Array per channel, all the same length. */
  channels: readonly Float32Array[];
}

export interface WavWriteOptions {
  /** Sample encoding; default 'pcm16'. */
  format?: SampleEncoding;
  /** Force (true) or forbid (false) WAVE_FORMAT_EXTENSIBLE; default: only above 2 channels. */
  extensible?: boolean;
}

export interface WavHeaderOptions extends WavWriteOptions {
  sampleRate: number;
  channelCount: number;
  /** Size of the sample data; omit for a stream of unknown length (0xFFFFFFFF sizes). */
  dataBytes?: number;
}

const STREAMED_SIZE = 0xffffffff;

const FORMAT_TAG: Record<SampleEncoding, number> = {
  pcm8: WAVE_FORMAT_PCM,
  pcm16: WAVE_FORMAT_PCM,
  pcm24: WAVE_FORMAT_PCM,
  pcm32: WAVE_FORMAT_PCM,
  float32: WAVE_FORMAT_IEEE_FLOAT,
  float64: WAVE_FORMAT_IEEE_FLOAT,
  mulaw: WAVE_FORMAT_MULAW,
  alaw: WAVE_FORMAT_ALAW,
};

/** Speaker masks for the usual layouts (mono = front centre, stereo, 5.1, 7.1); else unspecified. */
function defaultChannelMask(channels: number): number {
  return ({ 1: 0x4, 2: 0x3, 6: 0x3f, 8: 0x63f } as Record<number, number>)[channels] ?? 0;
}

/** Builds a WAV header. With `dataBytes` the sizes are final; without, they say "streamed". */
export function wavHeader(options: WavHeaderOptions): Uint8Array {
  const format = options.format ?? 'pcm16';
  const { sampleRate, channelCount } = options;
  if (!Number.isInteger(sampleRate) || sampleRate < 1 || sampleRate > 0xffffffff) {
    throw new SpeechError('AUDIO_BAD_SAMPLE_RATE', `cannot write a WAV at ${sampleRate} Hz`, { sampleRate });
  }
  if (!Number.isInteger(channelCount) || channelCount < 1 || channelCount > 0xffff) {
    throw new SpeechError('AUDIO_BAD_FORMAT', `cannot write a WAV with ${channelCount} channels`, {
      channelCount,
    });
  }
  const tag = FORMAT_TAG[format];
  if (tag === undefined) {
    throw new SpeechError('AUDIO_BAD_FORMAT', `unknown WAV sample format '${String(format)}'`, { format });
  }
  const sampleBytes = bytesPerSample(format);
  const blockAlign = sampleBytes * channelCount;
  if (blockAlign > 0xffff) {
    throw new SpeechError(
      'AUDIO_BAD_FORMAT',
      `a ${channelCount}-channel ${format} frame does not fit a WAV block`,
      {
        blockAlign,
      },
    );
  }
  const extensible = options.extensible ?? channelCount > 2;
  const fmtBytes = extensible ? 40 : tag === WAVE_FORMAT_PCM ? 16 : 18;
  const hasFact = tag !== WAVE_FORMAT_PCM && !extensible;
  const headerBytes = 12 + 8 + fmtBytes + (hasFact ? 12 : 0) + 8;
  const out = new Uint8Array(headerBytes);
  const view = new DataView(out.buffer);
  let p = 0;
  const id = (s: string): void => {
    for (let i = 0; i < 4; i++) out[p++] = s.charCodeAt(i);
  };
  const u32 = (v: number): void => {
    view.setUint32(p, v, true);
    p += 4;
  };
  const u16 = (v: number): void => {
    view.setUint16(p, v, true);
    p += 2;
  };
  id('RIFF');
  u32(STREAMED_SIZE); // patched below
  id('WAVE');
  id('fmt ');
  u32(fmtBytes);
  u16(extensible ? WAVE_FORMAT_EXTENSIBLE : tag);
  u16(channelCount);
  u32(sampleRate);
  u32(Math.min(sampleRate * blockAlign, 0xffffffff)); // byte rate: informative only
  u16(blockAlign);
  u16(sampleBytes * 8);
  if (extensible) {
    u16(22);
    u16(sampleBytes * 8);
    u32(defaultChannelMask(channelCount));
    u16(tag);
    out.set(KSDATAFORMAT_SUBTYPE_TAIL, p);
    p += KSDATAFORMAT_SUBTYPE_TAIL.length;
  } else if (fmtBytes === 18) {
    u16(0);
  }
  if (hasFact) {
    id('fact');
    u32(4);
    u32(STREAMED_SIZE); // frame count, patched below
  }
  id('data');
  u32(STREAMED_SIZE);
  if (options.dataBytes !== undefined) patchWavSizes(out, options.dataBytes);
  return out;
}

/** Encodes the sample data of a WAV body (interleaved, little-endian). */
export function encodeWavData(
  channels: readonly Float32Array[],
  format: SampleEncoding = 'pcm16',
): Uint8Array {
  return encodeInterleaved(channels, format, true);
}

/** Encodes a complete WAV file. */
export function encodeWav(audio: WavAudio, options: WavWriteOptions = {}): Uint8Array {
  const format = options.format ?? 'pcm16';
  if (audio.channels.length === 0)
    throw new SpeechError('AUDIO_BAD_FORMAT', 'a WAV needs at least one channel');
  const frames = audio.channels[0]!.length;
  if (audio.channels.some((c) => c.length !== frames)) {
    throw new SpeechError('AUDIO_BAD_FORMAT', 'all channels must have the same length', {
      lengths: audio.channels.map((c) => c.length),
    });
  }
  const data = encodeWavData(audio.channels, format);
  const header = wavHeader({
    ...options,
    sampleRate: audio.sampleRate,
    channelCount: audio.channels.length,
    format,
  });
  patchWavSizes(header, data.length);
  // An odd-sized data chunk is followed by a pad byte (RIFF chunks are word-aligned).
  const out = new Uint8Array(header.length + data.length + (data.length & 1));
  out.set(header, 0);
  out.set(data, header.length);
  return out;
}

/**
 * Rewrites the RIFF, fact and data sizes of a header produced by `wavHeader` once the data
 * length is known (for a seekable destination: write the patched header at offset 0).
 * Sizes that do not fit 32 bits stay at 0xFFFFFFFF ("read to end of stream").
 */
export function patchWavSizes(header: Uint8Array, dataBytes: number): void {
  if (!Number.isInteger(dataBytes) || dataBytes < 0) {
    throw new SpeechError('AUDIO_BAD_FORMAT', `data size must be a non-negative integer, got ${dataBytes}`);
  }
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  if (header.length < 12 || view.getUint32(0, false) !== 0x52494646 /* RIFF */) {
    throw new SpeechError('AUDIO_WAV_NOT_RIFF', 'patchWavSizes needs a RIFF WAVE header');
  }
  let p = 12;
  let blockAlign = 0;
  let factAt = -1;
  while (p + 8 <= header.length) {
    const id = String.fromCharCode(header[p]!, header[p + 1]!, header[p + 2]!, header[p + 3]!);
    const size = view.getUint32(p + 4, true);
    if (id === 'data') {
      const dataStart = p + 8;
      const riffSize = dataStart - 8 + dataBytes + (dataBytes & 1);
      const fits = riffSize <= 0xffffffff && dataBytes < STREAMED_SIZE;
      view.setUint32(4, fits ? riffSize : STREAMED_SIZE, true);
      view.setUint32(p + 4, fits ? dataBytes : STREAMED_SIZE, true);
      if (factAt >= 0 && blockAlign > 0) {
        view.setUint32(factAt, fits ? Math.floor(dataBytes / blockAlign) : STREAMED_SIZE, true);
      }
      return;
    }
    if (id === 'fmt ' && size >= 14) blockAlign = view.getUint16(p + 8 + 12, true);
    if (id === 'fact' && size >= 4) factAt = p + 8;
    p += 8 + size + (size & 1);
  }
  throw new SpeechError('AUDIO_WAV_TRUNCATED', 'patchWavSizes: the header has no data chunk');
}
