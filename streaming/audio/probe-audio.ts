/**
 * Cheap look at an audio file before decoding it (duration, rate, channels): WAV headers
 * are read natively; anything else by asking ffmpeg to describe its input (`ffmpeg -i`,
 * which stops after the header), since the bundled fallback has no ffprobe.
 */

import { execFile } from 'node:child_process';
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isSpeechError, SpeechError } from '../../common/errors.js';
import { locateFfmpeg } from './ffmpeg-binary.js';
import { assertAudioFile } from './ffmpeg-decode.js';
import { type AudioSourceInfo, lastFfmpegErrorLine, parseFfmpegInputInfo } from './ffmpeg-info.js';
import { WavParser } from './wav-parser.js';

export interface ProbedAudio extends AudioSourceInfo {
  /** Which decoder `decodeAudio` will use for this file. */
  decoder: 'wav' | 'ffmpeg';
}

const HEADER_READ_BYTES = 64 * 1024;
const MAX_WAV_HEADER_BYTES = 1 << 20;
const PROBE_TIMEOUT_MS = 30_000;

export interface ProbeOptions {
  ffmpegPath?: string;
  signal?: AbortSignal;
}

export async function probeAudio(path: string, options: ProbeOptions = {}): Promise<ProbedAudio> {
  await assertAudioFile(path);
  const wav = await probeWav(path);
  if (wav !== undefined) return wav;
  return probeWithFfmpeg(path, options);
}

/** The WAV description, or undefined when the file is not a WAV we decode natively. */
async function probeWav(path: string): Promise<ProbedAudio | undefined> {
  const file = await open(path, 'r');
  try {
    const parser = new WavParser();
    const buffer = new Uint8Array(HEADER_READ_BYTES);
    let offset = 0;
    while (parser.format === undefined && offset < MAX_WAV_HEADER_BYTES) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, offset);
      if (bytesRead === 0) {
        parser.end(); // throws the precise truncation error
        break;
      }
      offset += bytesRead;
      try {
        parser.push(buffer.subarray(0, bytesRead));
      } catch (err) {
        if (isSpeechError(err, 'AUDIO_WAV_NOT_RIFF') || isSpeechError(err, 'AUDIO_WAV_UNSUPPORTED'))
          return undefined;
        throw err;
      }
    }
    const format = parser.format;
    if (format === undefined) return undefined;
    let dataBytes = format.dataBytes;
    if (dataBytes === undefined) {
      // Streamed WAV: everything after the header is data.
      const size = (await file.stat()).size;
      dataBytes = Math.max(0, size - (parser.dataOffset ?? size));
    }
    return {
      decoder: 'wav',
      container: 'wav',
      codec: format.encoding,
      sampleRate: format.sampleRate,
      channels: format.channels,
      durationSeconds: Math.floor(dataBytes / format.blockAlign) / format.sampleRate,
    };
  } finally {
    await file.close();
  }
}

async function probeWithFfmpeg(path: string, options: ProbeOptions): Promise<ProbedAudio> {
  const ffmpegPath = options.ffmpegPath ?? (await locateFfmpeg()).path;
  const stderr = await new Promise<string>((done, fail) => {
    execFile(
      ffmpegPath,
      ['-hide_banner', '-nostdin', '-protocol_whitelist', 'file', '-i', `file:${resolve(path)}`],
      { timeout: PROBE_TIMEOUT_MS, maxBuffer: 1 << 20, signal: options.signal, killSignal: 'SIGKILL' },
      (err, _stdout, stderrText) => {
        // ffmpeg always exits 1 here ("At least one output file must be specified"); only a
        // failure to run it, a timeout or an abort is an error.
        const failure = err as (Error & { code?: unknown; killed?: boolean }) | null;
        if (failure?.code === 'ABORT_ERR') fail(options.signal?.reason ?? failure);
        else if (failure?.killed || typeof failure?.code === 'string') {
          fail(
            new SpeechError(
              'AUDIO_DECODE_FAILED',
              `ffmpeg could not probe ${path}: ${failure.message}`,
              {},
              { cause: failure },
            ),
          );
        } else done(String(stderrText));
      },
    );
  });
  const lines = stderr.split(/\r?\n/);
  const info = parseFfmpegInputInfo(lines);
  if (info.codec === undefined) {
    const ffmpegError = lastFfmpegErrorLine(lines.filter((l) => !l.includes('At least one output file')));
    throw new SpeechError(
      'AUDIO_DECODE_FAILED',
      `ffmpeg found no audio stream: ${ffmpegError ?? 'no details'}`,
      {
        ffmpegError,
      },
    );
  }
  return { ...info, decoder: 'ffmpeg' };
}
