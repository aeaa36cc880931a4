/**
 * Compressed output for `speak`: raw s16le in on ffmpeg's stdin, the encoded file out as
 * ffmpeg writes it. ffmpeg is found the way decoding finds it (FFMPEG_PATH, PATH, the
 * bundled build), so a machine without one gets AUDIO_FFMPEG_MISSING before any audio.
 *
 * A file is written by ffmpeg itself (a FLAC or M4A muxer seeks back to finish its header);
 * stdout gets a container that needs no seeking.
 */
import type { Writable } from 'node:stream';
import { SpeechError } from '../../common/errors.js';
import { locateFfmpeg } from '../../streaming/audio/index.js';
import { openProcessSink, type ProcessSinkOptions } from './speak-process-sink.js';
import type { AudioSink } from './speak-sink.js';
import { openOutput } from './speak-sink.js';

export type EncodedFormat = 'mp3' | 'opus' | 'aac' | 'flac';

interface Encoder {
  /** Codec and its settings. */
  readonly codec: readonly string[];
  /** The muxer when ffmpeg cannot tell it from the file name (stdout, or another extension). */
  readonly muxer: string;
  /** Extensions ffmpeg maps to a suitable muxer by itself (.m4a: MP4 rather than ADTS). */
  readonly extensions: readonly string[];
}

// Bit rates for 16 kHz mono speech, the same as the server's (server/tts/speech-encoding.ts).
const ENCODERS: Readonly<Record<EncodedFormat, Encoder>> = {
  mp3: { codec: ['libmp3lame', '-b:a', '64k'], muxer: 'mp3', extensions: ['.mp3'] },
  // Opus codes 16 kHz natively; Ogg is the container every player reads.
  opus: { codec: ['libopus', '-b:a', '32k'], muxer: 'ogg', extensions: ['.opus', '.ogg'] },
  aac: { codec: ['aac', '-b:a', '64k'], muxer: 'adts', extensions: ['.aac', '.m4a'] },
  flac: { codec: ['flac'], muxer: 'flac', extensions: ['.flac'] },
};

/** ffmpeg's arguments: s16le mono at `sampleRate` from stdin to `output` (a path, or stdout when undefined). */
export function encoderArgs(format: EncodedFormat, sampleRate: number, output: string | undefined): string[] {
  const encoder = ENCODERS[format];
  const ownMuxer =
    output !== undefined && encoder.extensions.some((ext) => output.toLowerCase().endsWith(ext));
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    's16le',
    '-ar',
    String(sampleRate),
    '-ac',
    '1',
    '-i',
    'pipe:0',
    '-c:a',
    ...encoder.codec,
    ...(ownMuxer ? [] : ['-f', encoder.muxer]),
    '-y',
    output ?? 'pipe:1',
  ];
}

export interface EncoderSinkOptions {
  readonly format: EncodedFormat;
  readonly sampleRate: number;
  /** A file path, or the stream the encoded bytes go to (stdout). */
  readonly output: string | Writable;
  readonly env: NodeJS.ProcessEnv;
}

/** Finds ffmpeg without starting it: the check to run before any model loads. */
export async function findEncoder(env: NodeJS.ProcessEnv): Promise<string> {
  return (await locateFfmpeg({ env })).path;
}

export async function openEncoderSink(options: EncoderSinkOptions): Promise<AudioSink> {
  const { format, output } = options;
  const ffmpeg = await findEncoder(options.env);
  const path = typeof output === 'string' ? output : undefined;
  // Opened here so that an unwritable path is the same coded error as for wav and pcm.
  if (path !== undefined) await (await openOutput(path)).close();
  const sink: ProcessSinkOptions = {
    name: 'ffmpeg',
    command: ffmpeg,
    args: encoderArgs(format, options.sampleRate, path),
    ...(typeof output !== 'string' && { stdout: output }),
    killOnInterrupt: false,
    failure: (detail) =>
      new SpeechError('AUDIO_ENCODE_FAILED', `ffmpeg could not encode ${format}: ${detail}`, { format }),
  };
  return openProcessSink(sink);
}
