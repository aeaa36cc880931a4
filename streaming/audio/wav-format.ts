/**
 * The WAVE `fmt ` chunk: what it may contain and which of it we decode.
 *
 * Supported: PCM (tag 1) in 8-bit unsigned and 16/24/32-bit signed containers, IEEE float
 * (tag 3) 32/64-bit, A-law (6), mu-law (7), and WAVE_FORMAT_EXTENSIBLE (0xFFFE) whose
 * sub-format GUID names one of those. Anything else (ADPCM, MP3-in-WAV...) is
 * AUDIO_WAV_UNSUPPORTED so callers can hand the file to ffmpeg.
 */

import { SpeechError } from '../../common/errors.js';
import type { SampleEncoding } from './sample-codec.js';

export const WAVE_FORMAT_PCM = 0x0001;
export const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
export const WAVE_FORMAT_ALAW = 0x0006;
export const WAVE_FORMAT_MULAW = 0x0007;
export const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/**
 * Bytes 2..15 of every KSDATAFORMAT_SUBTYPE_* GUID as stored in a little-endian file; the
 * first two bytes are the format tag.
 */
export const KSDATAFORMAT_SUBTYPE_TAIL = Uint8Array.of(
  0x00,
  0x00,
  0x00,
  0x00,
  0x10,
  0x00,
  0x80,
  0x00,
  0x00,
  0xaa,
  0x00,
  0x38,
  0x9b,
  0x71,
);

/** Bytes 4..15 of the GUID when a big-endian (RIFX) writer swaps all its integer fields. */
const SWAPPED_SUBTYPE_TAIL = Uint8Array.of(
  0x00,
  0x00,
  0x00,
  0x10,
  0x80,
  0x00,
  0x00,
  0xaa,
  0x00,
  0x38,
  0x9b,
  0x71,
);

/** Largest fmt chunk we buffer; real ones are 16, 18 or 40 bytes. */
export const MAX_FMT_CHUNK_BYTES = 4096;

export interface WavFormat {
  /** Byte order of the container: RIFF/RF64/BW64 little-endian, RIFX big-endian. */
  container: 'RIFF' | 'RIFX' | 'RF64' | 'BW64';
  /** The effective format tag (the sub-format's tag when `extensible`). */
  formatTag: number;
  extensible: boolean;
  encoding: SampleEncoding;
  sampleRate: number;
  channels: number;
  /** Significant bits per sample as declared (may be less than the container, e.g. 20 in 24). */
  bitsPerSample: number;
  /** Bytes per frame (all channels). */
  blockAlign: number;
  /** Speaker positions (WAVE_FORMAT_EXTENSIBLE only). */
  channelMask: number | undefined;
  /** Declared size of the data chunk; undefined when streamed (0 or 0xFFFFFFFF: read to EOF). */
  dataBytes: number | undefined;
}

export type WavFmt = Omit<WavFormat, 'container' | 'dataBytes'>;

/** Parses and validates the body of a `fmt ` chunk. */
export function parseFmtChunk(body: Uint8Array, littleEndian: boolean): WavFmt {
  if (body.length < 16) {
    throw new SpeechError(
      'AUDIO_WAV_MALFORMED',
      `fmt chunk is ${body.length} bytes, at least 16 are required`,
      {
        fmtBytes: body.length,
      },
    );
  }
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const le = littleEndian;
  let formatTag = view.getUint16(0, le);
  const channels = view.getUint16(2, le);
  const sampleRate = view.getUint32(4, le);
  const blockAlign = view.getUint16(12, le);
  let bitsPerSample = view.getUint16(14, le);
  const containerBits = bitsPerSample;
  let channelMask: number | undefined;
  const extensible = formatTag === WAVE_FORMAT_EXTENSIBLE;

  if (extensible) {
    const cbSize = body.length >= 18 ? view.getUint16(16, le) : 0;
    if (body.length < 40 || cbSize < 22) {
      throw new SpeechError(
        'AUDIO_WAV_MALFORMED',
        `WAVE_FORMAT_EXTENSIBLE fmt chunk needs 40 bytes with cbSize >= 22, got ${body.length} bytes, cbSize ${cbSize}`,
        { fmtBytes: body.length, cbSize },
      );
    }
    const validBits = view.getUint16(18, le);
    channelMask = view.getUint32(20, le);
    formatTag = subFormatTag(body, le);
    // validBits 0 means "same as the container" (some writers leave it unset).
    if (validBits !== 0) bitsPerSample = validBits;
  }

  const details = { formatTag, channels, sampleRate, blockAlign, bitsPerSample };
  if (channels === 0) throw new SpeechError('AUDIO_WAV_MALFORMED', 'fmt chunk declares 0 channels', details);
  if (sampleRate === 0)
    throw new SpeechError('AUDIO_WAV_MALFORMED', 'fmt chunk declares a 0 Hz sample rate', details);
  if (blockAlign === 0 || blockAlign % channels !== 0) {
    throw new SpeechError(
      'AUDIO_WAV_MALFORMED',
      `block align ${blockAlign} is not a whole number of bytes per channel for ${channels} channels`,
      details,
    );
  }
  const containerBytes = blockAlign / channels;
  const encoding = encodingFor(formatTag, containerBytes, containerBits, bitsPerSample, details);
  return {
    formatTag,
    extensible,
    encoding,
    sampleRate,
    channels,
    bitsPerSample,
    blockAlign,
    channelMask,
  };
}

function subFormatTag(body: Uint8Array, le: boolean): number {
  // GUID: data1 (u32, = format tag), data2 (u16), data3 (u16), data4 (8 raw bytes). RIFX
  // writers disagree on byte-swapping it: sox swaps only the tag's two bytes (same tail as
  // RIFF), others swap every integer field. Both are accepted for big-endian files.
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  if (bytesEqual(body.subarray(26, 40), KSDATAFORMAT_SUBTYPE_TAIL)) return view.getUint16(24, le);
  if (!le && view.getUint16(24, false) === 0 && bytesEqual(body.subarray(28, 40), SWAPPED_SUBTYPE_TAIL)) {
    return view.getUint16(26, false);
  }
  const guid = Array.from(body.subarray(24, 40), (b) => b.toString(16).padStart(2, '0')).join('');
  throw new SpeechError(
    'AUDIO_WAV_UNSUPPORTED',
    `WAVE_FORMAT_EXTENSIBLE sub-format ${guid} is not supported`,
    {
      subFormat: guid,
    },
  );
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function encodingFor(
  formatTag: number,
  containerBytes: number,
  containerBits: number,
  bitsPerSample: number,
  details: Record<string, unknown>,
): SampleEncoding {
  const mismatch = (what: string): SpeechError =>
    new SpeechError(
      'AUDIO_WAV_MALFORMED',
      `${what}: ${bitsPerSample} bits per sample in a ${containerBytes}-byte container`,
      details,
    );
  switch (formatTag) {
    case WAVE_FORMAT_PCM: {
      // Samples are left-justified in their container, so e.g. 20-bit audio in 3 bytes
      // decodes correctly as 24-bit.
      if (bitsPerSample === 0 || bitsPerSample > containerBytes * 8 || containerBits > containerBytes * 8) {
        throw mismatch('PCM block align does not match the sample size');
      }
      switch (containerBytes) {
        case 1:
          return 'pcm8';
        case 2:
          return 'pcm16';
        case 3:
          return 'pcm24';
        case 4:
          return 'pcm32';
        default:
          throw new SpeechError(
            'AUDIO_WAV_UNSUPPORTED',
            `${containerBytes * 8}-bit integer PCM is not supported`,
            details,
          );
      }
    }
    case WAVE_FORMAT_IEEE_FLOAT:
      // The container bits must be the float width; `validBits` (ffmpeg writes 24 for audio
      // from a 24-bit source) does not change how the float is stored.
      if (containerBytes === 4 && containerBits === 32) return 'float32';
      if (containerBytes === 8 && containerBits === 64) return 'float64';
      throw mismatch('IEEE float must be 32 or 64 bits');
    case WAVE_FORMAT_ALAW:
    case WAVE_FORMAT_MULAW:
      if (containerBytes !== 1 || containerBits !== 8) throw mismatch('G.711 must be 8 bits per sample');
      return formatTag === WAVE_FORMAT_ALAW ? 'alaw' : 'mulaw';
    default:
      throw new SpeechError(
        'AUDIO_WAV_UNSUPPORTED',
        `WAV format tag 0x${formatTag.toString(16).padStart(4, '0')} is not supported (decode it through ffmpeg)`,
        details,
      );
  }
}
