import type { Readable } from 'node:stream';
import { type DecodeOptions, decodeAudio } from './decode-audio.js';
import { concatSamples } from './pcm.js';

/**
 * A whole (short) input decoded into one buffer, mono float32 at `options.sampleRate`.
 * For clips, tests and benchmarks: long inputs should be consumed chunk by chunk from
 * decodeAudio instead, which never holds the whole file.
 */
export async function decodeAll(source: string | Readable, options: DecodeOptions): Promise<Float32Array> {
  const parts: Float32Array[] = [];
  // Chunks may be views of a reused buffer: copy each one.
  for await (const chunk of decodeAudio(source, options)) parts.push(chunk.slice());
  return concatSamples(parts);
}
