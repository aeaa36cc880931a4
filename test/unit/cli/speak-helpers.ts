// Shared by the speak tests: the fixture models, in-process reference synthesis, and a
// captured binary stdout.
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { loadSpeechModel } from '../../../models/tts/load-speech-model.js';
import { concatSamples, float32ToInt16 } from '../../../streaming/audio/index.js';
import { repoRoot } from './helpers.js';

export const ardit = path.join(repoRoot, 'test/fixtures/tts/ardit-tiny');
export const maskgct = path.join(repoRoot, 'test/fixtures/tts/maskgct-tiny');

/** What the CLI should write for `text`: the synthesizer's own output, as 16-bit samples. */
export async function referenceSpeech(
  model: string,
  text: string,
  options: { seed?: number; voice?: string; speed?: number } = {},
): Promise<Int16Array> {
  const synth = await loadSpeechModel(model, { session: { intraOpThreads: 1, provider: 'cpu' } });
  try {
    const parts: Float32Array[] = [];
    for await (const chunk of synth.speak({ text, ...options })) parts.push(chunk.samples);
    return float32ToInt16(concatSamples(parts));
  } finally {
    await synth.close();
  }
}

/** A binary stdout that keeps what was written. */
export function capturedStdout(): { stream: PassThrough; bytes: () => Uint8Array } {
  const stream = new PassThrough();
  const parts: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => parts.push(chunk));
  return { stream, bytes: () => new Uint8Array(Buffer.concat(parts)) };
}

/** Little-endian s16 bytes as samples. */
export function int16s(bytes: Uint8Array): Int16Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int16Array(bytes.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, true);
  return out;
}

/** The header fields a player reads: RIFF and data sizes, format, rate, bits. */
export function wavFields(bytes: Uint8Array) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  return {
    riff: tag(0),
    riffSize: view.getUint32(4, true),
    wave: tag(8),
    formatTag: view.getUint16(20, true),
    channels: view.getUint16(22, true),
    sampleRate: view.getUint32(24, true),
    bits: view.getUint16(34, true),
    data: tag(36),
    dataSize: view.getUint32(40, true),
  };
}
