/**
 * Shared helpers for the audio tests: paths to the real clips, a tmp dir, and the system
 * ffmpeg as an independent reference decoder/encoder.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { mulberry32 } from '../../helpers/prng.js';

export const repoRoot = resolve(import.meta.dirname, '../../..');
export const clipsDir = resolve(repoRoot, '../shared/data/clips');
export const fixturesDir = resolve(repoRoot, 'test/fixtures/audio');
export const clip = (name: string): string => join(clipsDir, name);

export function makeTmpDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `speechstream-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs the system ffmpeg; throws with its stderr when it fails. */
export function ffmpeg(args: string[], input?: Uint8Array): Buffer {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', ...args], {
    input,
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${r.stderr?.toString()}`);
  return r.stdout;
}

/** The system ffmpeg's own decode of a file to planar float32 (native rate/channels). */
export function ffmpegDecodePlanar(
  path: string,
  channels: number,
  extraInputArgs: string[] = [],
): Float32Array[] {
  const raw = ffmpeg([...extraInputArgs, '-i', path, '-f', 'f32le', '-acodec', 'pcm_f32le', '-']);
  const interleaved = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const frames = interleaved.length / channels;
  return Array.from({ length: channels }, (_, c) => {
    const out = new Float32Array(frames);
    for (let f = 0; f < frames; f++) out[f] = interleaved[f * channels + c]!;
    return out;
  });
}

export async function collect(chunks: AsyncIterable<Float32Array>): Promise<Float32Array> {
  const parts: Float32Array[] = [];
  let total = 0;
  for await (const c of chunks) {
    parts.push(c);
    total += c.length;
  }
  const out = new Float32Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** A deterministic PRNG (mulberry32) so failures reproduce. */
export const rng = mulberry32;

/** Splits `length` into random chunk lengths in [1, maxChunk]. */
export function randomChunking(length: number, maxChunk: number, random: () => number): number[] {
  const sizes: number[] = [];
  let left = length;
  while (left > 0) {
    const n = Math.min(left, 1 + Math.floor(random() * maxChunk));
    sizes.push(n);
    left -= n;
  }
  return sizes;
}
