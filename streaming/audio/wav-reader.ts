/**
 * Whole-buffer and async-iterable WAV reading, both on top of the incremental WavParser.
 */

import type { WavFormat } from './wav-format.js';
import { type WavEndStatus, WavParser, type WavParserOptions } from './wav-parser.js';

export interface DecodedWav extends Omit<WavEndStatus, 'frames'> {
  sampleRate: number;
  /** One Float32Array per channel. */
  channels: Float32Array[];
}

/** Decodes a complete WAV file held in memory. */
export function readWav(bytes: Uint8Array, options: WavParserOptions = {}): DecodedWav {
  const parser = new WavParser(options);
  const frames = parser.push(bytes);
  const status = parser.end();
  const channels = frames ?? Array.from({ length: status.format.channels }, () => new Float32Array(0));
  return {
    format: status.format,
    sampleRate: status.format.sampleRate,
    channels,
    truncated: status.truncated,
    droppedBytes: status.droppedBytes,
    replacedSamples: status.replacedSamples,
  };
}

export interface WavFrames {
  format: WavFormat;
  /** One Float32Array per channel, all the same length (> 0). */
  channels: Float32Array[];
}

/**
 * Streams the frames of a WAV file as its bytes arrive. Pull-based: the source is only read
 * when the consumer asks for more. End-of-input checks (truncation) run when the source
 * ends; the returned status is the generator's return value.
 */
export async function* readWavStream(
  source: AsyncIterable<Uint8Array>,
  options: WavParserOptions = {},
): AsyncGenerator<WavFrames, WavEndStatus, undefined> {
  const parser = new WavParser(options);
  for await (const chunk of source) {
    const channels = parser.push(chunk);
    if (channels !== undefined) yield { format: parser.format!, channels };
  }
  return parser.end();
}
