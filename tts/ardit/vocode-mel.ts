import type { VocoderStream } from '../audio/vocoder-stream.js';
import type { MelChunk } from './ardit-generator.js';

/**
 * Pipes mel chunks (an ArditGeneration) through a VocoderStream: yields each piece of audio
 * as soon as it is final, then the flushed tail. Empty pieces are skipped. The stream is
 * reset first, so one VocoderStream can serve consecutive utterances.
 */
export async function* vocodeMel(
  chunks: AsyncIterable<MelChunk>,
  stream: VocoderStream,
): AsyncGenerator<Float32Array> {
  await stream.reset();
  for await (const chunk of chunks) {
    const audio = await stream.push(chunk.logMel);
    if (audio.length > 0) yield audio;
  }
  const tail = await stream.flush();
  if (tail.length > 0) yield tail;
}
