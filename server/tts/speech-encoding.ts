/**
 * Speech audio in a response format, as it is made. pcm and wav are written here (16-bit
 * little-endian; a streamed WAV header with 0xFFFFFFFF sizes, as OpenAI and ffmpeg stream
 * it); mp3, opus (in Ogg), aac (ADTS) and flac go through ffmpeg. Which formats need
 * ffmpeg, with which arguments, and their media types are data in one table.
 */
import { encodeWavData, wavHeader } from '../../streaming/audio/index.js';
import type { SpeechFormat } from '../protocol/speech-protocol.js';
import { encodeWithFfmpeg } from './ffmpeg-encoder.js';

export interface SpeechFormatSpec {
  readonly contentType: string;
  /** ffmpeg codec and muxer arguments; absent for the formats written here. */
  readonly ffmpeg?: readonly string[];
}

/** Bit rates suit 16 kHz mono speech; OpenAI's media types. */
export const speechFormatSpecs: Readonly<Record<SpeechFormat, SpeechFormatSpec>> = {
  // No Xing/LAME header: it announces a length, and a stream cannot go back to fill it in.
  mp3: {
    contentType: 'audio/mpeg',
    ffmpeg: ['-c:a', 'libmp3lame', '-b:a', '64k', '-write_xing', '0', '-f', 'mp3'],
  },
  // Short Ogg pages: the default (1 s) would hold each page's audio back for a second.
  opus: {
    contentType: 'audio/ogg; codecs=opus',
    ffmpeg: ['-c:a', 'libopus', '-b:a', '32k', '-page_duration', '20000', '-f', 'ogg'],
  },
  aac: { contentType: 'audio/aac', ffmpeg: ['-c:a', 'aac', '-b:a', '64k', '-f', 'adts'] },
  flac: { contentType: 'audio/flac', ffmpeg: ['-c:a', 'flac', '-f', 'flac'] },
  wav: { contentType: 'audio/wav' },
  pcm: { contentType: 'audio/pcm' },
};

export function needsFfmpeg(format: SpeechFormat): boolean {
  return speechFormatSpecs[format].ffmpeg !== undefined;
}

/** Float samples in [-1, 1] as 16-bit little-endian bytes. */
export function toPcm16(samples: Float32Array): Uint8Array {
  return encodeWavData([samples], 'pcm16');
}

async function* pcm16(chunks: AsyncIterable<Float32Array>): AsyncGenerator<Uint8Array> {
  for await (const samples of chunks) yield toPcm16(samples);
}

/**
 * The bytes of `chunks` (mono at `sampleRate`) in `format`, each piece as soon as it
 * exists. `ffmpegPath` is needed for the formats ffmpeg encodes. Leaving the iteration
 * early stops everything upstream (ffmpeg killed, the synthesis cancelled).
 */
export async function* encodeSpeech(
  chunks: AsyncIterable<Float32Array>,
  format: SpeechFormat,
  sampleRate: number,
  ffmpegPath?: string,
): AsyncGenerator<Uint8Array> {
  const spec = speechFormatSpecs[format];
  if (spec.ffmpeg !== undefined) {
    if (ffmpegPath === undefined) throw new Error(`encodeSpeech: ${format} needs ffmpegPath`);
    yield* encodeWithFfmpeg(pcm16(chunks), { ffmpegPath, sampleRate, outputArgs: spec.ffmpeg });
    return;
  }
  if (format === 'wav') yield wavHeader({ sampleRate, channelCount: 1 });
  yield* pcm16(chunks);
}
