/**
 * Encodes a stream of 16-bit mono PCM through an ffmpeg child (`-f s16le ... -i pipe:0 ...
 * pipe:1`), yielding encoded bytes as ffmpeg writes them. Backpressure runs both ways:
 * input is written only while stdin accepts it (write() false -> wait for 'drain'), and
 * stdout is read only as fast as the consumer pulls, so a slow HTTP client stalls ffmpeg,
 * which stalls our writes, which stops pulling audio from the synthesis.
 *
 * The child never outlives the generator: leaving it early (client gone, error) kills
 * ffmpeg and waits for its exit. A missing binary is AUDIO_FFMPEG_MISSING; a crash or an
 * error exit AUDIO_ENCODE_FAILED with ffmpeg's last words.
 */
import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { SpeechError } from '../../common/errors.js';

export interface FfmpegEncodeOptions {
  readonly ffmpegPath: string;
  readonly sampleRate: number;
  /** Codec and muxer arguments (`-c:a libmp3lame ... -f mp3`). */
  readonly outputArgs: readonly string[];
}

/** Bytes of ffmpeg's stderr kept for the error message. */
const STDERR_TAIL_BYTES = 2048;

export async function* encodeWithFfmpeg(
  pcm: AsyncIterable<Uint8Array>,
  options: FfmpegEncodeOptions,
): AsyncGenerator<Uint8Array> {
  const child = spawn(
    options.ffmpegPath,
    [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      // Raw input needs no probing: without these ffmpeg waits for more input before its
      // first output, which is latency a streaming client hears.
      '-probesize',
      '32',
      '-analyzeduration',
      '0',
      '-f',
      's16le',
      '-ar',
      String(options.sampleRate),
      '-ac',
      '1',
      '-i',
      'pipe:0',
      ...options.outputArgs,
      // No encoder-version tags in the output: they say which ffmpeg the server runs.
      '-map_metadata',
      '-1',
      '-fflags',
      '+bitexact',
      '-flush_packets',
      '1',
      'pipe:1',
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let spawnError: NodeJS.ErrnoException | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', (err) => {
      spawnError = err;
      resolve({ code: null, signal: null });
    });
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stderr = (stderr + text).slice(-STDERR_TAIL_BYTES);
  });
  // EPIPE once ffmpeg has gone: its exit status says why, reported below.
  child.stdin.on('error', () => {});

  let sourceError: unknown;
  let sourceFailed = false;
  const feeding = (async () => {
    try {
      for await (const bytes of pcm) {
        if (child.stdin.destroyed) return;
        if (!child.stdin.write(bytes)) await drained(child.stdin);
      }
      child.stdin.end();
    } catch (err) {
      // The synthesis failed: ffmpeg's output would be a truncated file; stop it.
      sourceError = err;
      sourceFailed = true;
      child.kill('SIGKILL');
    }
  })();

  try {
    try {
      for await (const chunk of child.stdout) yield chunk as Uint8Array;
    } catch (err) {
      if (!sourceFailed && spawnError === undefined) {
        throw new SpeechError(
          'AUDIO_ENCODE_FAILED',
          `reading ffmpeg's output failed: ${(err as Error).message}`,
        );
      }
    }
    const { code, signal } = await exited;
    await feeding;
    if (sourceFailed) throw sourceError;
    if (spawnError !== undefined) throw spawnFailure(spawnError, options.ffmpegPath);
    if (code !== 0) {
      const last = stderr.trim().split('\n').pop() ?? '';
      throw new SpeechError(
        'AUDIO_ENCODE_FAILED',
        `ffmpeg ${signal !== null ? `was killed by ${signal}` : `exited with status ${code}`}${last ? `: ${last}` : ''}`,
        { stderrTail: stderr.trim().split('\n').slice(-5) },
      );
    }
  } finally {
    if (child.exitCode === null && child.signalCode === null && spawnError === undefined) {
      child.kill('SIGKILL');
    }
    await exited;
  }
}

function spawnFailure(err: NodeJS.ErrnoException, path: string): SpeechError {
  if (err.code === 'ENOENT' || err.code === 'EACCES') {
    return new SpeechError('AUDIO_FFMPEG_MISSING', `cannot run ffmpeg at ${path}: ${err.message}`, { path });
  }
  return new SpeechError('AUDIO_ENCODE_FAILED', `cannot start ffmpeg at ${path}: ${err.message}`, { path });
}

/** Resolves on 'drain', or when the stream closes or fails (then nothing more is written). */
function drained(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
    stream.on('error', done);
  });
}
