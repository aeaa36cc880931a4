/**
 * The one entry point for "give me this audio as mono float32 at rate R": WAV files are
 * read natively (no child process for the common case), everything else goes to ffmpeg.
 *
 * The decision is made on the first bytes: input that is not RIFF/RIFX/RF64 WAVE, or a WAV
 * whose encoding we do not decode (ADPCM, MP3-in-WAV...), is handed to ffmpeg; for a
 * Readable the bytes already read are replayed into ffmpeg first. A WAV that is malformed
 * or truncated is an AUDIO_WAV_* error, not a reason to try ffmpeg: a broken header is
 * where silent garbage comes from.
 *
 * A Readable holding an MP4/M4A/MOV is first written to a temporary file: such files often
 * keep their index at the end, which ffmpeg cannot reach through a pipe.
 */

import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { isSpeechError, SpeechError } from '../../common/errors.js';
import { abortable } from './abortable.js';
import {
  assertAudioFile,
  checkDecodeOptions,
  type DecodeOptions,
  decodeWithFfmpeg,
} from './ffmpeg-decode.js';
import { MonoConverter } from './mono-converter.js';
import { isIsoBaseMedia, spoolToTempFile } from './spool-file.js';
import { WavParser } from './wav-parser.js';

export type { DecodeOptions } from './ffmpeg-decode.js';

/** Bytes of a Readable we are willing to hold for replay while deciding (the WAV header). */
const MAX_SNIFF_BYTES = 1 << 20;

/**
 * Decodes a file path or a Readable to mono float32 chunks at `options.sampleRate`.
 * Native WAV when possible, ffmpeg otherwise; see `decodeWithFfmpeg` for lifetime rules,
 * which apply to both paths.
 */
export async function* decodeAudio(
  source: string | Readable,
  options: DecodeOptions,
): AsyncGenerator<Float32Array, void, undefined> {
  const maxChunk = checkDecodeOptions(options);
  if (typeof source === 'string') await assertAudioFile(source);
  const byteStream = typeof source === 'string' ? createReadStream(source) : source;
  const bytes = readErrorsCoded(abortable<Uint8Array>(byteStream, options.signal), source, options.signal);
  const parser = new WavParser();
  const seen: Uint8Array[] = [];
  let seenBytes = 0;
  let totalBytes = 0;
  let firstFrames: Float32Array[] | undefined;
  let handOver = false;
  let ended = false;

  // Phase 1: read until the WAV parser knows the format, or rules the input out.
  try {
    while (parser.format === undefined) {
      const next = await bytes.next();
      if (next.done) {
        ended = true;
        break;
      }
      const chunk = next.value;
      totalBytes += chunk.length;
      if (typeof source !== 'string' && seenBytes < MAX_SNIFF_BYTES) {
        seen.push(chunk);
        seenBytes += chunk.length;
      }
      firstFrames = parser.push(chunk);
    }
  } catch (err) {
    if (!isSpeechError(err, 'AUDIO_WAV_NOT_RIFF') && !isSpeechError(err, 'AUDIO_WAV_UNSUPPORTED')) {
      await bytes.return();
      throw err;
    }
    handOver = true;
  }

  if (ended && totalBytes === 0) throw new SpeechError('AUDIO_DECODE_FAILED', 'the audio input is empty');
  if (handOver) {
    if (typeof source === 'string') {
      await bytes.return();
      yield* decodeWithFfmpeg(source, options);
      return;
    }
    if (seenBytes >= MAX_SNIFF_BYTES) {
      await bytes.return();
      throw new SpeechError(
        'AUDIO_WAV_UNSUPPORTED',
        `the WAV encoding is not supported and its header is too long (> ${MAX_SNIFF_BYTES} bytes) to hand to ffmpeg`,
      );
    }
    // Enough bytes to recognise the container.
    while (seenBytes < 12) {
      const next = await bytes.next();
      if (next.done) break;
      seen.push(next.value);
      seenBytes += next.value.length;
    }
    if (isIsoBaseMedia(concatHead(seen, 12))) {
      const spooled = await spoolToTempFile(replay(seen, bytes), options.signal, '.mp4');
      try {
        yield* decodeWithFfmpeg(spooled.path, options);
      } finally {
        await spooled.dispose();
      }
      return;
    }
    yield* decodeWithFfmpeg(Readable.from(replay(seen, bytes)), options);
    return;
  }

  // Phase 2: native WAV.
  try {
    if (ended) {
      parser.end(); // throws the precise truncation error
      return;
    }
    const format = parser.format!;
    const converter = new MonoConverter(format.sampleRate, options.sampleRate, maxChunk, options.signal);
    options.onInfo?.({
      decoder: 'wav',
      container: 'wav',
      codec: format.encoding,
      sampleRate: format.sampleRate,
      channels: format.channels,
      ...(format.dataBytes === undefined
        ? {}
        : { durationSeconds: Math.floor(format.dataBytes / format.blockAlign) / format.sampleRate }),
    });
    seen.length = 0;
    if (firstFrames !== undefined) yield* converter.push(firstFrames);
    for await (const chunk of bytes) {
      const frames = parser.push(chunk);
      if (frames !== undefined) yield* converter.push(frames);
    }
    parser.end();
    yield* converter.finish();
  } finally {
    await bytes.return();
  }
}

/**
 * Failures of the source itself become coded errors: a file that cannot be read is
 * AUDIO_FILE_NOT_FOUND, a stream that breaks (client gone) AUDIO_DECODE_FAILED. Aborts and
 * our own coded errors pass through.
 */
async function* readErrorsCoded(
  chunks: AsyncGenerator<Uint8Array, void, undefined>,
  source: string | Readable,
  signal: AbortSignal | undefined,
): AsyncGenerator<Uint8Array, void, undefined> {
  try {
    yield* chunks;
  } catch (err) {
    if (isSpeechError(err) || (signal?.aborted && err === signal.reason)) throw err;
    const message = err instanceof Error ? err.message : String(err);
    if (typeof source === 'string') {
      throw new SpeechError(
        'AUDIO_FILE_NOT_FOUND',
        `cannot read audio file ${source}: ${message}`,
        { path: source },
        {
          cause: err,
        },
      );
    }
    throw new SpeechError(
      'AUDIO_DECODE_FAILED',
      `reading the audio input failed: ${message}`,
      {},
      { cause: err },
    );
  }
}

function concatHead(chunks: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let o = 0;
  for (const c of chunks) {
    if (o >= length) break;
    const n = Math.min(c.length, length - o);
    out.set(c.subarray(0, n), o);
    o += n;
  }
  return out.subarray(0, o);
}

/** The bytes consumed while sniffing, then the rest of the source. */
async function* replay(
  head: Uint8Array[],
  rest: AsyncGenerator<Uint8Array, void, undefined>,
): AsyncGenerator<Uint8Array, void, undefined> {
  try {
    yield* head;
    for await (const chunk of rest) yield chunk;
  } finally {
    await rest.return();
  }
}
