/**
 * Where `speak` writes what it makes, one chunk at a time: the native formats (WAV and raw
 * s16le) to a file or a stream here, ffmpeg and the players in their own modules. Every
 * sink takes 16-bit little-endian mono and resolves a write only once the destination can
 * take more, so a slow destination (a pipe, the speakers) slows generation instead of
 * queueing audio in memory.
 *
 * A streamed WAV starts with 0xFFFFFFFF sizes ("until end of stream"); a regular file gets
 * its real sizes written over them at the end, so an interrupted run still leaves a valid
 * file of what was made.
 */
import { open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { SpeechError } from '../../common/errors.js';
import { patchWavSizes, wavHeader } from '../../streaming/audio/index.js';

export interface AudioSink {
  /** 16-bit little-endian mono samples; resolves once the destination can take more. */
  write(pcm: Uint8Array): Promise<void>;
  /**
   * Completes the output. `interrupted`: the run was cut short; finish as fast as possible
   * (stop a player) but still leave a valid file, and do not fail on a child's exit status.
   */
  finish(interrupted: boolean): Promise<void>;
}

export type NativeFormat = 'wav' | 'pcm';

function headerFor(format: NativeFormat, sampleRate: number): Uint8Array | undefined {
  return format === 'wav' ? wavHeader({ sampleRate, channelCount: 1 }) : undefined;
}

/** Opens `path` for writing, as the coded error a user can act on when that fails. */
export async function openOutput(path: string) {
  try {
    return await open(path, 'w');
  } catch (err) {
    throw new SpeechError('CONFIG_INVALID', `cannot write ${path}: ${(err as Error).message}`, { path });
  }
}

export async function openFileSink(
  path: string,
  format: NativeFormat,
  sampleRate: number,
): Promise<AudioSink> {
  const handle = await openOutput(path);
  const header = headerFor(format, sampleRate);
  let seekable: boolean;
  try {
    // A FIFO or a device cannot be rewritten at offset 0: its header keeps the streamed sizes.
    seekable = (await handle.stat()).isFile();
    if (header !== undefined) await writeAll(handle, header, null);
  } catch (err) {
    await handle.close();
    throw err;
  }
  let dataBytes = 0;
  return {
    async write(pcm) {
      await writeAll(handle, pcm, null);
      dataBytes += pcm.length;
    },
    async finish() {
      try {
        if (header !== undefined && seekable) {
          patchWavSizes(header, dataBytes);
          await writeAll(handle, header, 0);
        }
      } finally {
        await handle.close();
      }
    },
  };
}

async function writeAll(
  handle: Awaited<ReturnType<typeof open>>,
  bytes: Uint8Array,
  position: number | null,
): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(
      bytes,
      done,
      bytes.length - done,
      position === null ? null : position + done,
    );
    done += bytesWritten;
  }
}

/** A stream the process does not own (stdout): written to, never ended. */
export async function openStreamSink(
  out: Writable,
  format: NativeFormat,
  sampleRate: number,
): Promise<AudioSink> {
  // A reader that goes away (EPIPE) reports it as an 'error' event after write() returned;
  // unheard, that would crash the process. Left attached: a late one must not crash either.
  let failure: Error | undefined;
  out.on('error', (err: Error) => {
    failure ??= err;
  });
  const write = async (bytes: Uint8Array) => {
    if (failure !== undefined) throw outputClosed(failure);
    await writeStream(out, bytes);
  };
  const header = headerFor(format, sampleRate);
  if (header !== undefined) await write(header);
  return {
    write,
    async finish() {},
  };
}

/** Writes `bytes`, then waits for 'drain' when the stream's buffer is full. */
export async function writeStream(out: Writable, bytes: Uint8Array): Promise<void> {
  if (out.destroyed || out.writableEnded) throw outputClosed();
  if (out.write(bytes)) return;
  await new Promise<void>((resolve, reject) => {
    const settle = (err?: Error) => {
      out.off('drain', onDrain);
      out.off('error', onError);
      out.off('close', onClose);
      if (err === undefined) resolve();
      else reject(err);
    };
    const onDrain = () => settle();
    const onError = (err: Error) => settle(outputClosed(err));
    // A stream destroyed while full never drains: without this the run would hang.
    const onClose = () => settle(outputClosed());
    out.on('drain', onDrain);
    out.on('error', onError);
    out.on('close', onClose);
  });
}

function outputClosed(cause?: Error): SpeechError {
  return new SpeechError(
    'INTERNAL',
    `the audio output closed before the audio ended${cause ? ` (${cause.message})` : ''}`,
    undefined,
    { cause },
  );
}
