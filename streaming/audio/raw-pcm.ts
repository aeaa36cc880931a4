/**
 * Headerless PCM as clients stream it (`encoding=linear16|linear32|mulaw|alaw`), always
 * little-endian and interleaved when there is more than one channel.
 *
 * - linear16: signed 16-bit integers.
 * - linear32: IEEE float32 (as in Deepgram's API), not int32. Non-finite values are cleaned,
 *   not rejected: NaN -> 0, +-Inf -> +-1 (the count is returned). Finite values are kept
 *   as sent, even beyond [-1, 1], up to +-MAX_FLOAT_SAMPLE (65536); beyond that they are
 *   cleaned like infinities (they would overflow the resampler and the features).
 * - mulaw / alaw: G.711, one byte per sample.
 *
 * A frame whose byte length is not a whole number of sample frames is rejected with
 * AUDIO_BAD_FORMAT: a split sample means the client and server disagree on the format.
 */

import { SpeechError } from '../../common/errors.js';
import { downmixToMono } from './pcm.js';
import { bytesPerSample, decodeInterleaved, type SampleEncoding } from './sample-codec.js';

export type RawPcmEncoding = 'linear16' | 'linear32' | 'mulaw' | 'alaw';

export const RAW_PCM_ENCODINGS: readonly RawPcmEncoding[] = ['linear16', 'linear32', 'mulaw', 'alaw'];

const SAMPLE_ENCODING: Record<RawPcmEncoding, SampleEncoding> = {
  linear16: 'pcm16',
  linear32: 'float32',
  mulaw: 'mulaw',
  alaw: 'alaw',
};

export interface RawPcmFormat {
  encoding: RawPcmEncoding;
  /** Interleaved channels in the byte stream; default 1. */
  channels?: number;
}

export interface DecodedRawPcm {
  /** One Float32Array per channel. */
  channels: Float32Array[];
  /** Non-finite linear32 samples that were replaced. */
  replacedSamples: number;
}

/** Decodes one raw PCM frame into planar float channels. */
export function decodeRawPcm(bytes: Uint8Array, format: RawPcmFormat): DecodedRawPcm {
  const channelCount = format.channels ?? 1;
  const encoding = SAMPLE_ENCODING[format.encoding];
  if (encoding === undefined) {
    throw new SpeechError(
      'AUDIO_BAD_FORMAT',
      `unknown raw PCM encoding '${String(format.encoding)}' (expected ${RAW_PCM_ENCODINGS.join(', ')})`,
      { encoding: format.encoding },
    );
  }
  if (!Number.isInteger(channelCount) || channelCount < 1 || channelCount > 64) {
    throw new SpeechError(
      'AUDIO_BAD_FORMAT',
      `channel count must be an integer in 1..64, got ${channelCount}`,
      {
        channels: channelCount,
      },
    );
  }
  const frameBytes = bytesPerSample(encoding) * channelCount;
  if (bytes.length % frameBytes !== 0) {
    throw new SpeechError(
      'AUDIO_BAD_FORMAT',
      `${bytes.length} bytes of ${format.encoding} is not a whole number of ${frameBytes}-byte frames`,
      { bytes: bytes.length, frameBytes, encoding: format.encoding, channels: channelCount },
    );
  }
  const frames = bytes.length / frameBytes;
  const channels: Float32Array[] = [];
  for (let c = 0; c < channelCount; c++) channels.push(new Float32Array(frames));
  const replacedSamples = decodeInterleaved(bytes, 0, frames, encoding, true, channels, 0);
  return { channels, replacedSamples };
}

/** Decodes one raw PCM frame and down-mixes it to mono (channel mean). */
export function decodeRawPcmMono(bytes: Uint8Array, format: RawPcmFormat): Float32Array {
  return downmixToMono(decodeRawPcm(bytes, format).channels);
}
