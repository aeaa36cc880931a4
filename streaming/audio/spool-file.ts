/**
 * Writes a byte stream to a private temporary file, for inputs ffmpeg cannot decode from a
 * pipe (MP4/M4A/MOV whose index, the `moov` box, sits after the audio: ffmpeg needs to
 * seek). Disk instead of memory keeps long uploads bounded; the file lives until `dispose`.
 */

import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface SpooledFile {
  path: string;
  /** Deletes the file and its directory. Idempotent. */
  dispose(): Promise<void>;
}

export async function spoolToTempFile(
  chunks: AsyncIterable<Uint8Array>,
  signal?: AbortSignal,
  extension = '.bin',
): Promise<SpooledFile> {
  const dir = await mkdtemp(join(tmpdir(), 'speechstream-spool-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  const path = join(dir, `input${extension}`);
  try {
    // pipeline honours backpressure (write -> drain) and closes the file on every outcome.
    await pipeline(Readable.from(chunks), createWriteStream(path, { mode: 0o600 }), { signal });
  } catch (err) {
    await dispose();
    throw err;
  }
  return { path, dispose };
}

/** ISO base media file (MP4, M4A, MOV, 3GP): a `ftyp` box first. */
export function isIsoBaseMedia(head: Uint8Array): boolean {
  return head.length >= 8 && head[4] === 0x66 && head[5] === 0x74 && head[6] === 0x79 && head[7] === 0x70;
}
