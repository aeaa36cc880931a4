/**
 * Any-format decoding through ffmpeg (driven by fluent-ffmpeg), to mono float32 at a
 * requested rate, as an async iterator of bounded chunks.
 *
 * ffmpeg decodes at the source's own rate and channel count and writes a streamed float32
 * WAV (`-f wav -acodec pcm_f32le`, sizes 0xFFFFFFFF) to its stdout; our WavParser reads it,
 * then the MonoConverter down-mixes (channel mean) and resamples with the Kaldi resampler.
 * Why not `-ac 1 -ar <rate>`: ffmpeg's down-mix is not the mean (its stereo -> mono gain
 * depends on the internal sample format) and swresample is not the filter the models'
 * reference (sherpa-onnx) uses, so an mp3 and the same audio as a WAV, which never goes
 * through ffmpeg, would reach the model differently. One conversion path makes them agree.
 * The WAV header also tells us the decoded rate and channel count without guessing.
 *
 * Backpressure: stdout is piped into a small PassThrough that is only read when the
 * consumer asks for the next chunk, so a slow consumer fills the pipe and ffmpeg blocks on
 * write; nothing is read ahead beyond the stream buffers (~100 KiB).
 *
 * Lifetime: breaking out of the loop, an error, or `signal` aborting kills ffmpeg (SIGKILL)
 * and waits until it has exited before the iterator settles. A Readable source is owned by
 * the decoder: it is destroyed when decoding stops early, as `stream.pipeline` would.
 *
 * fluent-ffmpeg keeps the ffmpeg path in a process-wide variable and checks the binary's
 * formats once per process (two short runs of ffmpeg on first use); decodes running at the
 * same time must therefore use the same binary.
 */

import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import ffmpeg from 'fluent-ffmpeg';
import { SpeechError } from '../../common/errors.js';
import { abortable } from './abortable.js';
import { locateFfmpeg } from './ffmpeg-binary.js';
import { type AudioSourceInfo, lastFfmpegErrorLine, parseFfmpegInputInfo } from './ffmpeg-info.js';
import { MonoConverter } from './mono-converter.js';
import { checkSampleRate } from './resampler.js';
import { WavParser } from './wav-parser.js';

export interface DecodeOptions {
  /** Output sample rate (Hz). */
  sampleRate: number;
  /** Largest chunk yielded, in output samples; default one second (`sampleRate`). */
  maxChunkSamples?: number;
  /** Aborting stops decoding: the pending `next()` rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Use this ffmpeg instead of looking one up (see `locateFfmpeg`). */
  ffmpegPath?: string;
  /** Called once, before the first chunk, with what is known about the source. */
  onInfo?: (info: DecodedAudioInfo) => void;
  /** Called with the pid of each ffmpeg process started (logging, metrics, tests). */
  onFfmpegStart?: (pid: number) => void;
}

export interface DecodedAudioInfo extends AudioSourceInfo {
  /** Which path decodes: the built-in WAV parser, or ffmpeg. */
  decoder: 'wav' | 'ffmpeg';
  /** Rate and channel count of the decoded source, before conversion. */
  sampleRate: number;
  channels: number;
}

/** How many stderr lines we keep for the input description and for error messages. */
const STDERR_LINES = 60;

/** Throws AUDIO_FILE_NOT_FOUND unless `path` exists and is not a directory (FIFOs are fine). */
export async function assertAudioFile(path: string): Promise<void> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new Error('it is a directory');
  } catch (err) {
    throw new SpeechError(
      'AUDIO_FILE_NOT_FOUND',
      `cannot read audio file ${path}: ${(err as Error).message}`,
      {
        path,
      },
    );
  }
}

export function checkDecodeOptions(options: DecodeOptions): number {
  checkSampleRate(options.sampleRate, 'requested sample rate');
  const maxChunk = options.maxChunkSamples ?? options.sampleRate;
  if (!Number.isInteger(maxChunk) || maxChunk < 1) {
    throw new SpeechError('CONFIG_INVALID', `maxChunkSamples must be a positive integer, got ${maxChunk}`);
  }
  options.signal?.throwIfAborted();
  return maxChunk;
}

/**
 * Decodes a file path or a Readable (stdin, an HTTP upload) through ffmpeg. Errors:
 * AUDIO_FILE_NOT_FOUND, AUDIO_FFMPEG_MISSING, AUDIO_DECODE_FAILED (with ffmpeg's most
 * telling stderr line in `details.ffmpegError`). Output with no samples at all is a
 * failure. A Readable MP4/M4A whose index is at the end cannot be decoded from a pipe;
 * `decodeAudio` spools such streams to a temporary file first.
 */
export async function* decodeWithFfmpeg(
  source: string | Readable,
  options: DecodeOptions,
): AsyncGenerator<Float32Array, void, undefined> {
  const maxChunk = checkDecodeOptions(options);
  if (typeof source === 'string') await assertAudioFile(source);
  const ffmpegPath = options.ffmpegPath ?? (await locateFfmpeg()).path;
  options.signal?.throwIfAborted();
  const run = startFfmpeg(ffmpegPath, source, options.onFfmpegStart);
  const parser = new WavParser();
  let converter: MonoConverter | undefined;
  try {
    for await (const bytes of abortable(run.stdout, options.signal)) {
      const frames = pushOrFail(parser, bytes);
      if (frames === undefined) continue;
      if (converter === undefined) {
        const format = parser.format!;
        converter = new MonoConverter(format.sampleRate, options.sampleRate, maxChunk, options.signal);
        const input = await run.inputInfo;
        options.onInfo?.({
          ...input,
          decoder: 'ffmpeg',
          sampleRate: format.sampleRate,
          channels: format.channels,
        });
      }
      yield* converter.push(frames);
    }
    // stdout ended: ffmpeg's exit status decides, before the WAV parser's own checks.
    await run.done;
    endOrFail(parser);
    if (converter === undefined) {
      // ffmpeg can exit 0 with an empty output, e.g. an MP4 whose index is at the end, read
      // from a pipe; its stderr still says why.
      const ffmpegError = lastFfmpegErrorLine(run.stderrLines);
      throw new SpeechError(
        'AUDIO_DECODE_FAILED',
        `ffmpeg decoded no audio samples: ${ffmpegError ?? 'no details'}`,
        {
          ffmpegError,
          stderrTail: run.stderrLines.slice(-5),
        },
      );
    }
    yield* converter.finish();
  } finally {
    await run.stop();
  }
}

// ffmpeg exited cleanly yet its WAV output does not parse: report it as a decode failure.
function unreadable(err: unknown): SpeechError {
  return new SpeechError(
    'AUDIO_DECODE_FAILED',
    `ffmpeg produced unreadable output: ${(err as Error).message}`,
    {},
    {
      cause: err,
    },
  );
}

function pushOrFail(parser: WavParser, bytes: Uint8Array): Float32Array[] | undefined {
  try {
    return parser.push(bytes);
  } catch (err) {
    throw unreadable(err);
  }
}

function endOrFail(parser: WavParser): void {
  try {
    parser.end();
  } catch (err) {
    throw unreadable(err);
  }
}

interface FfmpegRun {
  stdout: PassThrough;
  /** Resolves when ffmpeg exits with status 0; rejects with AUDIO_DECODE_FAILED otherwise. */
  done: Promise<void>;
  /** The input description ffmpeg printed (resolves once printed, or when ffmpeg ends). */
  inputInfo: Promise<AudioSourceInfo>;
  stderrLines: string[];
  /** Kills ffmpeg if it still runs and waits until the process has exited. Idempotent. */
  stop(): Promise<void>;
}

function startFfmpeg(
  ffmpegPath: string,
  source: string | Readable,
  onStart?: (pid: number) => void,
): FfmpegRun {
  const stdout = new PassThrough();
  const stderrLines: string[] = [];
  const infoLines: string[] = [];
  let infoResolved = false;
  let resolveInfo: (info: AudioSourceInfo) => void = () => {};
  const inputInfo = new Promise<AudioSourceInfo>((r) => {
    resolveInfo = r;
  });
  const finishInfo = (): void => {
    if (infoResolved) return;
    infoResolved = true;
    resolveInfo(parseFfmpegInputInfo(infoLines));
  };

  let stopping = false;
  let settled = false;
  let callbackError: unknown;
  let child: ChildProcess | undefined;
  let childExit: Promise<void> = Promise.resolve();
  let resolveDone: () => void = () => {};
  let rejectDone: (err: unknown) => void = () => {};
  const done = new Promise<void>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });
  done.catch(() => {}); // awaited by the decoder; never an unhandled rejection
  let settle: () => void = () => {};
  const ended = new Promise<void>((r) => {
    settle = r;
  });

  // A path goes through the `file:` protocol so that names with a colon are never taken
  // as a URL, and nested protocols (a playlist pointing at http://) are refused.
  const input = typeof source === 'string' ? `file:${resolve(source)}` : source;
  const protocols = typeof source === 'string' ? 'file' : 'pipe';
  const command = ffmpeg({ stdoutLines: STDERR_LINES })
    .setFfmpegPath(ffmpegPath)
    .input(input)
    .inputOptions(['-hide_banner', '-nostdin', '-nostats', '-protocol_whitelist', protocols])
    .outputOptions(['-map', '0:a:0', '-vn', '-sn', '-dn', '-acodec', 'pcm_f32le', '-f', 'wav'])
    .outputOptions(['-fflags', '+bitexact', '-map_metadata', '-1']);

  command.on('start', () => {
    const proc = (command as unknown as { ffmpegProc?: ChildProcess }).ffmpegProc;
    if (proc === undefined) return;
    child = proc;
    childExit =
      proc.exitCode !== null || proc.signalCode !== null
        ? Promise.resolve()
        : once(proc, 'exit').then(() => {});
    if (stopping) {
      proc.kill('SIGKILL');
      return;
    }
    try {
      if (proc.pid !== undefined) onStart?.(proc.pid);
    } catch (err) {
      // We are inside fluent-ffmpeg's start-up; an exception here would leave stdout
      // unpiped and the decode hung. Stop ffmpeg and report the caller's error instead.
      callbackError = err;
      stopping = true;
      proc.kill('SIGKILL');
    }
  });
  command.on('stderr', (line: string) => {
    stderrLines.push(line);
    if (stderrLines.length > STDERR_LINES) stderrLines.shift();
    if (!infoResolved) {
      infoLines.push(line);
      if (/^(Stream mapping|Output #0)/.test(line) || infoLines.length >= 200) finishInfo();
    }
  });
  command.on('end', () => {
    settled = true;
    finishInfo();
    resolveDone();
    settle();
  });
  command.on('error', (err: Error & { inputStreamError?: Error }) => {
    settled = true;
    finishInfo();
    const ffmpegError = lastFfmpegErrorLine(stderrLines);
    let message = `ffmpeg could not decode the input: ${ffmpegError ?? err.message}`;
    if (stopping) message = 'decoding was stopped';
    else if (err.inputStreamError) message = `the input stream failed: ${err.inputStreamError.message}`;
    const details = { ffmpegError, stderrTail: stderrLines.slice(-5) };
    rejectDone(callbackError ?? new SpeechError('AUDIO_DECODE_FAILED', message, details, { cause: err }));
    settle();
    // Make sure the reader sees EOF even when ffmpeg never ran (spawn failure) or its
    // stdout is still open; after a failure its remaining output is of no use.
    child?.stdout?.unpipe(stdout);
    if (!stdout.writableEnded) stdout.end();
  });
  command.pipe(stdout, { end: true });

  return {
    stdout,
    done,
    inputInfo,
    stderrLines,
    async stop(): Promise<void> {
      if (!settled) stopping = true;
      if (child === undefined && !settled) await ended; // still starting: 'start' kills it
      if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await childExit;
      await ended;
      stdout.destroy();
      if (typeof source !== 'string' && !source.readableEnded) source.destroy();
    },
  };
}
